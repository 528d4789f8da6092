# SPDX-License-Identifier: MIT
# Per-operation cost by cause (coherence: queueing and transfers by distance;
# memory; fences; lock waits; grace-period waits; local work) as stacked
# bars, one panel per sweep series, one bar per CPU count: the "why" behind
# each throughput curve.  From a sweep index only.
#   gnuplot -e "index='results/NAME/index.tsv'; out='plots/NAME-breakdown'" plots/breakdown.gp
# Variables (optional but index):
#   series  space-separated series, one panel each (default: all, at most 4 a row)
#   opscol  the operation count the cycles are divided by (default
#           metrics.engine.accesses); opname  what an operation is ("access")
#   title   the figure title
# Writes OUT.png and OUT.svg.
if (!exists("index")) { print "breakdown.gp: set index='results/NAME/index.tsv'"; exit status 2 }
if (!exists("out")) out = "plots/breakdown"
if (!exists("opscol")) opscol = "metrics.engine.accesses"
if (!exists("opname")) opname = "access"
if (!exists("title")) title = "Where the time of one operation goes"
if (!exists("series")) series = system(sprintf("awk -F'\t' 'NR > 1 && !s[$2]++ {print $2}' '%s'", index))
_n = words(series)
_cols = (_n < 4) ? _n : 4
_rows = (_n + _cols - 1) / _cols
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 520 * _cols, 420 * _rows + 40 font "DejaVu Sans,10"
    } else {
        set terminal svg size 520 * _cols, 420 * _rows + 40 font "DejaVu Sans,10" dynamic background rgb "white"
    }
    set output out . "." . fmt
    set multiplot layout _rows, _cols title title font ",12"
    do for [i = 1:_n] {
        reset
        set grid y
        set key top left font ",8"
        set xtics rotate by -45 font ",8"
        if (i > 1) { unset key }
        _s = word(series, i)
        set title system(sprintf("awk -F'\t' -v s='%s' '$2 == s {print $3; exit}' '%s'", _s, index))
        set xlabel "simulated CPUs"
        set ylabel sprintf("CPU cycles per %s (all CPUs' time / %ss)", opname, opname)
        call "plots/lib/breakdown.gp" index _s opscol
    }
    unset multiplot
    set output
}
