set terminal svg size 900,500 dynamic noenhanced font "sans,12" background rgb "white"
set output "../concurrency_rps.svg"
set datafile missing "?"
set border 3
set tics nomirror
set grid ytics lc rgb "#dddddd"
set title "requests per second against client connections, static 1 KiB (rings: saturation, 90% of peak)"
set xlabel "client connections"
set ylabel "requests per second"
set key below vertical maxcols 2 width -4
set logscale x 2
set xtics (1, 2, 4, 8, 16, 32, 64)
set xrange [0.8:80]
set label "" at 8,8242.213333333333 point pt 6 ps 2.6 lw 2 lc rgb "#d62728" front
set label "" at 8,54013.15 point pt 6 ps 2.6 lw 2 lc rgb "#1f77b4" front
set label "" at 64,52471.666666666664 point pt 6 ps 2.6 lw 2 lc rgb "#2ca02c" front
set label "" at 16,39145.09333333333 point pt 6 ps 2.6 lw 2 lc rgb "#9467bd" front
set label "" at 32,66807.49666666666 point pt 6 ps 2.6 lw 2 lc rgb "#ff7f0e" front
set yrange [0:*]
plot "concurrency_rps.dat" index 0 using 1:2:3:4 with yerrorlines title "spidey single-connection" lc rgb "#d62728" lw 2 pt 7 ps 0.8, \
  '' index 1 using 1:2:3:4 with yerrorlines title "spidey concurrent (-f)" lc rgb "#1f77b4" lw 2 pt 7 ps 0.8, \
  '' index 2 using 1:2:3:4 with yerrorlines title "spidey multi-process (-w 2)" lc rgb "#2ca02c" lw 2 pt 7 ps 0.8, \
  '' index 3 using 1:2:3:4 with yerrorlines title "nginx 1 worker" lc rgb "#9467bd" lw 2 pt 7 ps 0.8, \
  '' index 4 using 1:2:3:4 with yerrorlines title "lighttpd event loop" lc rgb "#ff7f0e" lw 2 pt 7 ps 0.8
