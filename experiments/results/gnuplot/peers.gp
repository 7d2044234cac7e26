set terminal svg size 900,500 dynamic noenhanced font "sans,12" background rgb "white"
set output "../peers.svg"
set datafile missing "?"
set border 3
set tics nomirror
set grid ytics lc rgb "#dddddd"
set title "spidey's requests per second relative to its peers (1 = parity; whiskers: worst-best runs)"
set ylabel "ratio of requests per second (log scale)"
set style data histograms
set key below vertical maxcols 1 width -4
set style histogram errorbars gap 1.5 lw 1.2
set style fill solid 0.85 border rgb "#444444"
set boxwidth 0.9
set xtics scale 0
set offsets 0.2, 0.2, 0, 0
set logscale y
set yrange [0.1:20]
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1.5 lc rgb "black" front
plot "peers.dat" using 2:3:4:xtic(1) title "spidey concurrent (-f) / nginx 1 worker" lc rgb "#9467bd", \
  '' using 5:6:7 title "spidey concurrent (-f) / lighttpd event loop" lc rgb "#ff7f0e", \
  '' using 8:9:10 title "spidey multi-process (-w 2) / nginx 2 workers" lc rgb "#8c564b", \
  '' using ($0-0.2222):4:($2 >= 100 ? sprintf("%.0f", $2) : sprintf("%.2g", $2)) with labels offset 0,0.7 font ",8" notitle, \
  '' using ($0+0.0000):7:($5 >= 100 ? sprintf("%.0f", $5) : sprintf("%.2g", $5)) with labels offset 0,0.7 font ",8" notitle, \
  '' using ($0+0.2222):10:($8 >= 100 ? sprintf("%.0f", $8) : sprintf("%.2g", $8)) with labels offset 0,0.7 font ",8" notitle
