# SPDX-License-Identifier: MIT
# The default job's figure, from results/default/*.tsv (written by
# scripts/default-job) and the measurements in results/reference/.
set terminal pngcairo size 1200,480 font "DejaVu Sans,10"
set output "plots/default.png"
set multiplot layout 1,2
set logscale x 2
set grid
set key top left

set title "One cache line, N CPUs lock-xadd together (ben, 8 x 10-core Westmere-EX)"
set xlabel "CPUs (filled socket by socket)"
set ylabel "mean cycles per write"
set logscale y 10
plot "results/default/line_ww.tsv" using 1:2 with linespoints lw 2 pt 7 title "sim", \
     "results/reference/ben_sharing_ww.tsv" using 1:2 with points pt 6 ps 1.6 lw 2 \
         title "measured (Clements, ben)"

set title "N CPUs fetch-and-add one counter (icx2s, 2 x 32-core Ice Lake)"
set xlabel "CPUs"
set ylabel "million increments per second (all CPUs)"
unset logscale y
set yrange [0:*]
plot "results/default/faa.tsv" using 1:($2/1e6) with linespoints lw 2 pt 7 title "sim (icx2s)", \
     "results/reference/perfbook_count_atomic_8176.tsv" using 1:2 with points pt 6 ps 1.6 lw 2 \
         title "measured (perfbook, 8-socket Xeon 8176)"
unset multiplot
