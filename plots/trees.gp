# SPDX-License-Identifier: MIT
# docs/trees.md's figure: cycles per lookup and per update against the
# number of writers on ben (80 CPUs: readers + writers = 80), one line per
# tree and reclaim scheme, from results/trees-ben/index.tsv
# (scripts/trees-report).  Writes plots/trees.png and plots/trees.svg.
#   gnuplot plots/trees.gp        (run from the repository root)
if (!exists("index")) index = "results/trees-ben/index.tsv"
if (!exists("out")) out = "plots/trees"
set datafile separator "\t"
_series = system(sprintf("awk -F'\t' 'NR > 1 && !s[$2]++ {print $2}' '%s'", index))
_sel(s) = sprintf("< awk -F'\t' 'NR == 1' '%s'; awk -F'\t' -v s='%s' 'NR > 1 && $2 == s' '%s' | sort -n -t'\t' -k4,4", index, s, index)
_title(s) = system(sprintf("awk -F'\t' -v s='%s' '$2 == s {print $3; exit}' '%s'", s, index))
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1400,560 font "DejaVu Sans,10" noenhanced
    } else {
        set terminal svg size 1400,560 font "DejaVu Sans,10" noenhanced dynamic background rgb "white"
    }
    set output out . "." . fmt
    unset logscale
    set multiplot layout 1,2 title "treebench on ben: 1,000 regions, readers + writers = 80 CPUs" font ",13"
    set grid
    set key top left font ",9"
    set xlabel "writers (the other CPUs look up)"
    set xrange [-1:41]
    set title "(a) cycles per lookup (read_lock to read_unlock, or down_read to up_read)"
    set ylabel "cycles"
    set logscale y 10
    plot for [s in _series] _sel(s) using "workload.writers":"metrics.cycles_per_lookup" \
        with linespoints lw 2 pt 7 ps 0.8 title _title(s)
    set title "(b) cycles per update (erase + insert under mmap_sem)"
    set logscale y 10
    set xrange [0.5:41]
    set logscale x 2
    plot for [s in _series] _sel(s) using "workload.writers":"metrics.cycles_per_update" \
        with linespoints lw 2 pt 7 ps 0.8 title _title(s)
    unset multiplot
}
