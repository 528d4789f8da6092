# SPDX-License-Identifier: MIT
# docs/aspace-large.md's figure: the address-space designs on the synthetic
# large machine (results/aspace-large/index.tsv), one panel per workload:
# its throughput in its own unit (mapbench: page touches per second;
# will-it-scale: iterations per second, both totals) against CPUs, one line
# per design (the series name up to its first dot; the sweep splits each
# design into series by workload family and run length).
# Writes plots/aspace-large.png and .svg (scripts/aspace-large-report).
#   gnuplot plots/aspace-large.gp        (run from the repository root)
if (!exists("index")) index = "results/aspace-large/index.tsv"
if (!exists("out")) out = "plots/aspace-large"
set datafile separator "\t"
_designs = "linux-rwsem bonsai-tree_rcu bonsai-gus bonsai-ebr-ck bonsai-urcu-qsbr bonsai-srcu"
_col(name) = system(sprintf("awk -F'\t' 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == \"%s\") print i; exit}' '%s'", name, index))
_cb = _col("workload.benchmark")
_cw = _col("workload.test")
_cc = _col("sim.cpus")
_ct = _col("metrics.page_touches_per_sec")
_ci = _col("metrics.iterations_per_sec")
# rows of design d running workload b: CPUs and the workload's own metric
_sel(d, b) = sprintf("< awk -F'\t' -v d='%s' -v b='%s' -v cb=%s -v cw=%s -v cc=%s -v ct=%s -v ci=%s 'NR > 1 {split($2, a, \".\"); if (a[1] != d) next; if ($cb == b) print $cc \"\t\" $ct; else if ($cw == b) print $cc \"\t\" $ci}' '%s' | sort -n", d, b, _cb, _cw, _cc, _ct, _ci, index)
_unit(b) = (b eq "vmlocal" || b eq "vmpipeline") ? "page touches per second, total" : (b eq "page_fault1" ? "pages faulted per second, total" : "mmap + munmap per second, total")
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1400,1000 font "DejaVu Sans,10" noenhanced
    } else {
        set terminal svg size 1400,1000 font "DejaVu Sans,10" noenhanced dynamic background rgb "white"
    }
    set output out . "." . fmt
    set multiplot layout 2,2 title "Address-space designs on the synthetic large machine (predictions; no measurement exists)" font ",13"
    set grid
    set key top right font ",8"
    set xlabel "CPUs"
    set logscale x 2
    set logscale y 10
    set format y "%.0s%c"
    set xrange [48:5500]
    do for [b in "vmlocal vmpipeline page_fault1 mmap1"] {
        set title b
        set ylabel _unit(b)
        plot for [d in _designs] _sel(d, b) using 1:2 with linespoints lw 2 pt 7 ps 0.7 title d
    }
    unset multiplot
}
