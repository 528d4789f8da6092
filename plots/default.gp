# SPDX-License-Identifier: MIT
# The README figure, from the default sweep's index (scripts/default-job:
# results/default/index.tsv) and the measurements in results/reference/.
# Writes plots/default.png and plots/default.svg.
#   gnuplot plots/default.gp        (run from the repository root)
if (!exists("index")) index = "results/default/index.tsv"
if (!exists("out")) out = "plots/default"
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1500,1000 font "DejaVu Sans,10"
    } else {
        set terminal svg size 1500,1000 font "DejaVu Sans,10" dynamic background rgb "white"
    }
    set output out . "." . fmt
    set multiplot title "sim default job: cache-line contention, simulated and measured" font ",13"

    reset
    set origin 0, 0.5
    set size 0.5, 0.47
    set logscale xy 2
    set logscale y 10
    set grid
    set key top left
    set title "(a) N CPUs lock-xadd one cache line together, ben (Clements' sharing benchmark)"
    set xlabel "CPUs (sockets filled one by one, 10 cores each)"
    set ylabel "mean cycles per write (2.4 GHz)"
    call "plots/lib/curves.gp" index "metrics.cycles_per_access_mean" "1" "sharing-ben" \
        "results/reference/ben_sharing_ww.tsv" "measured on ben (Clements' thesis)"

    reset
    set origin 0.5, 0.5
    set size 0.5, 0.47
    set logscale x 2
    set grid
    set key top right
    set yrange [0:*]
    set title "(b) N CPUs fetch-and-add one counter as fast as they can (perfbook count\\_atomic)"
    set xlabel "simulated CPUs"
    set ylabel "million increments per second, all CPUs together"
    call "plots/lib/curves.gp" index "metrics.ops_per_sec" "1e-6" \
        "faa-ben faa-icx2s faa-genoa2s faa-large" \
        "results/reference/perfbook_count_atomic_8176.tsv" "measured: perfbook, 8-socket Xeon 8176"

    reset
    set origin 0, 0
    set size 0.5, 0.48
    set grid y
    set key top left font ",9"
    set title "(c) why (b) falls: cycles per increment by cause, icx2s"
    set xlabel "simulated CPUs"
    set ylabel "CPU cycles per increment (all CPUs' time / increments)"
    call "plots/lib/breakdown.gp" index "faa-icx2s"

    reset
    set origin 0.5, 0
    set size 0.5, 0.48
    set grid y
    set key top left font ",9"
    set title "(d) the same on genoa2s (12 CCX of 8 cores per socket)"
    set xlabel "simulated CPUs"
    set ylabel "CPU cycles per increment (all CPUs' time / increments)"
    call "plots/lib/breakdown.gp" index "faa-genoa2s"
    unset multiplot
    set output
}
