set terminal svg size 900,500 dynamic noenhanced font "sans,12" background rgb "white"
set output "../throughput.svg"
set datafile missing "?"
set border 3
set tics nomirror
set grid ytics lc rgb "#dddddd"
set title "Throughput per file size with 4 client connections (whiskers: min-max of runs)"
set ylabel "MB/s (log scale)"
set style data histograms
set key below vertical maxcols 1 width -4
set style histogram errorbars gap 1.5 lw 1.2
set style fill solid 0.85 border rgb "#444444"
set boxwidth 0.9
set xtics scale 0
set offsets 0.2, 0.2, 0, 0
set logscale y
set yrange [1:6900]
plot "throughput.dat" using 2:3:4:xtic(1) title "spidey single-connection" lc rgb "#d62728", \
  '' using 5:6:7 title "spidey concurrent (-f)" lc rgb "#1f77b4", \
  '' using 8:9:10 title "spidey multi-process (-w 2)" lc rgb "#2ca02c", \
  '' using ($0-0.2222):4:($2 >= 100 ? sprintf("%.0f", $2) : sprintf("%.2g", $2)) with labels offset 0,0.7 font ",8" notitle, \
  '' using ($0+0.0000):7:($5 >= 100 ? sprintf("%.0f", $5) : sprintf("%.2g", $5)) with labels offset 0,0.7 font ",8" notitle, \
  '' using ($0+0.2222):10:($8 >= 100 ? sprintf("%.0f", $8) : sprintf("%.2g", $8)) with labels offset 0,0.7 font ",8" notitle
