# SPDX-License-Identifier: MIT
# One panel: a metric against simulated CPUs, one line per sweep series,
# from a sweep index (results/NAME/index.tsv, written by `sim sweep`),
# with up to two reference measurement files overlaid as points.
#
#   call "plots/lib/curves.gp" INDEX YCOL [YSCALE [SERIES [REF1 REF1TITLE [REF2 REF2TITLE]]]]
#
# INDEX   the sweep index; YCOL a column of it ("metrics.ops_per_sec");
# YSCALE  factor applied to YCOL (default 1); SERIES space-separated series
#         names to draw (default "": all, in index order); REFn a two-column
#         file (CPUs, value in the plotted unit), REFnTITLE its legend.
# The caller sets the terminal, labels, ranges and scales; the legend of a
# line is the series' "title" from the sweep file.
set datafile separator "\t"
_f = ARG1
_y = ARG2
_k = 1.0
if (ARGC >= 3 && (ARG3 ne "")) { eval("_k = " . ARG3) }
_series = (ARGC >= 4 && (ARG4 ne "")) ? ARG4 : \
    system(sprintf("awk -F'\t' 'NR > 1 && !s[$2]++ {print $2}' '%s'", _f))
_sel(s) = sprintf("< awk -F'\t' -v s='%s' 'NR == 1 || $2 == s' '%s'", s, _f)
_title(s) = system(sprintf("awk -F'\t' -v s='%s' '$2 == s {print $3; exit}' '%s'", s, _f))
_cmd = "plot for [s in _series] _sel(s) using \"sim.cpus\":(column(_y) * _k) " . \
       "with linespoints lw 2 pt 7 ps 0.7 title _title(s)"
if (ARGC >= 6 && (ARG5 ne "")) {
    _cmd = _cmd . sprintf(", '%s' using 1:2 with points pt 6 ps 1.5 lw 2 lc rgb 'black' title \"%s\"", ARG5, ARG6)
}
if (ARGC >= 8 && (ARG7 ne "")) {
    _cmd = _cmd . sprintf(", '%s' using 1:2 with points pt 8 ps 1.5 lw 2 lc rgb 'black' title \"%s\"", ARG7, ARG8)
}
eval(_cmd)
