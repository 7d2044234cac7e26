set terminal svg size 900,500 dynamic noenhanced font "sans,12" background rgb "white"
set output "../percentiles_listing.svg"
set datafile missing "?"
set border 3
set tics nomirror
set grid ytics lc rgb "#dddddd"
set title "Latency percentiles, directory listing, 8 client connections (whiskers: min-max of runs)"
set xlabel "percentile (tail stretched: each step is ten times rarer)"
set ylabel "latency (ms, log scale)"
set key below vertical maxcols 2 width -4
set xtics ("p50" 0.301, "p90" 1, "p99" 2, "max" 3)
set xrange [0.16605:3.13495]
set logscale y
plot "percentiles_listing.dat" index 0 using 1:2:3:4 with yerrorlines title "spidey single-connection" lc rgb "#d62728" lw 2 pt 7 ps 0.8, \
  '' index 1 using 1:2:3:4 with yerrorlines title "spidey concurrent (-f)" lc rgb "#1f77b4" lw 2 pt 7 ps 0.8, \
  '' index 2 using 1:2:3:4 with yerrorlines title "spidey multi-process (-w 2)" lc rgb "#2ca02c" lw 2 pt 7 ps 0.8
