# SPDX-License-Identifier: MIT
# docs/validation-aspace.md's figure: mapbench page touches per second
# (total over cores) against cores on ben, simulated (lines, from
# results/aspace-ben/index.tsv) beside measured (points, Linux 3.5.7 and
# Bonsai, results/reference/ben_mapbench.tsv), one panel per benchmark
# (scripts/aspace-report).  Writes plots/aspace-ben.png and .svg.
#   gnuplot plots/aspace-ben.gp        (run from the repository root)
if (!exists("index")) index = "results/aspace-ben/index.tsv"
if (!exists("ref")) ref = "results/reference/ben_mapbench.tsv"
if (!exists("out")) out = "plots/aspace-ben"
set datafile separator "\t"
_series = system(sprintf("awk -F'\t' 'NR > 1 && !s[$2]++ {print $2}' '%s'", index))
_col(name) = system(sprintf("awk -F'\t' 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == \"%s\") print i; exit}' '%s'", name, index))
_cb = _col("workload.benchmark")
_cc = _col("sim.cpus")
_ct = _col("metrics.page_touches_per_sec")
_sel(s, b) = sprintf("< awk -F'\t' -v s='%s' -v b='%s' -v cb=%s -v cc=%s -v ct=%s 'NR > 1 && $2 == s && $cb == b {print $cc \"\t\" $ct}' '%s' | sort -n", s, b, _cb, _cc, _ct, index)
_title(s) = system(sprintf("awk -F'\t' -v s='%s' '$2 == s {print $3; exit}' '%s'", s, index))
_ref(sys, b) = sprintf("< awk -F'\t' -v s='%s' -v b='%s' '!/^#/ && $1 == s && $2 == b {print $3 \"\t\" $5 \"\t\" $6 \"\t\" $7}' '%s'", sys, b, ref)
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1500,520 font "DejaVu Sans,10" noenhanced
    } else {
        set terminal svg size 1500,520 font "DejaVu Sans,10" noenhanced dynamic background rgb "white"
    }
    set output out . "." . fmt
    set multiplot layout 1,3 title "mapbench on ben: simulated (lines) beside measured (points: mean of 3 trials, bars min-max)" font ",13"
    set grid
    set key bottom left font ",8"
    set xlabel "cores"
    set ylabel "page touches per second, total"
    set logscale y 10
    set format y "%.0s%c"
    set xrange [0:82]
    do for [b in "vmlocal vmpipeline vmglobal"] {
        set title b
        plot for [s in _series] _sel(s, b) using 1:2 with linespoints lw 2 pt 7 ps 0.7 title _title(s), \
             _ref("linux", b) using 1:2:3:4 with yerrorbars lc rgb "black" pt 4 ps 1.2 title "ben: Linux 3.5.7", \
             _ref("bonsai", b) using 1:2:3:4 with yerrorbars lc rgb "dark-red" pt 6 ps 1.2 title "ben: Bonsai"
    }
    unset multiplot
}
