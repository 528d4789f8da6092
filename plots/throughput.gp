# SPDX-License-Identifier: MIT
# Throughput (or any metric) against simulated CPUs, log2 x-axis, one line
# per sweep series, measurements overlaid as points.  From a sweep index only.
#   gnuplot -e "index='results/NAME/index.tsv'; out='plots/NAME-throughput'" plots/throughput.gp
# Variables (all optional but index):
#   ycol    column to plot (default metrics.ops_per_sec); yscale a factor (1e-6)
#   ylabel, title     axis label and title (say the unit)
#   series  space-separated series to draw (default: all)
#   ref1, ref1title, ref2, ref2title   two-column measurement files (CPUs, value
#           in the plotted unit) and their legends
#   logy    1 for a log y-axis
# Writes OUT.png (for the README) and OUT.svg (for papers).
if (!exists("index")) { print "throughput.gp: set index='results/NAME/index.tsv'"; exit status 2 }
if (!exists("out")) out = "plots/throughput"
if (!exists("ycol")) ycol = "metrics.ops_per_sec"
if (!exists("yscale")) yscale = "1e-6"
if (!exists("ylabel")) ylabel = "million operations per second, all CPUs together"
if (!exists("title")) title = "Throughput against simulated CPUs"
if (!exists("series")) series = ""
if (!exists("ref1")) { ref1 = ""; ref1title = "" }
if (!exists("ref2")) { ref2 = ""; ref2title = "" }
if (!exists("logy")) logy = 0
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 900,560 font "DejaVu Sans,10"
    } else {
        set terminal svg size 900,560 font "DejaVu Sans,10" dynamic background rgb "white"
    }
    set output out . "." . fmt
    reset
    set logscale x 2
    if (logy) { set logscale y 10 } else { set yrange [0:*] }
    set grid
    set key top right
    set title title
    set xlabel "simulated CPUs"
    set ylabel ylabel
    call "plots/lib/curves.gp" index ycol yscale series ref1 ref1title ref2 ref2title
    set output
}
