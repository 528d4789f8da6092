# SPDX-License-Identifier: MIT
# docs/trees.md's scaling figure: cycles per lookup and per update against
# simulated CPUs on the large machine, one line per tree, from
# results/trees-large/index.tsv (scripts/trees-report).
# Writes plots/trees-large.png and plots/trees-large.svg.
#   gnuplot plots/trees-large.gp        (run from the repository root)
if (!exists("index")) index = "results/trees-large/index.tsv"
if (!exists("out")) out = "plots/trees-large"
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1400,560 font "DejaVu Sans,10" noenhanced
    } else {
        set terminal svg size 1400,560 font "DejaVu Sans,10" noenhanced dynamic background rgb "white"
    }
    set output out . "." . fmt
    unset logscale
    set multiplot layout 1,2 title "treebench on large: 1,000 regions, 1 writer, the other CPUs look up (tree_rcu)" font ",13"
    set grid
    set key top left font ",9"
    set logscale x 2
    set logscale y 10
    set xlabel "simulated CPUs"
    set ylabel "cycles"
    set title "(a) cycles per lookup"
    call "plots/lib/curves.gp" index "metrics.cycles_per_lookup"
    set title "(b) cycles per update (erase + insert)"
    call "plots/lib/curves.gp" index "metrics.cycles_per_update"
    unset multiplot
}
