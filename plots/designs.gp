# SPDX-License-Identifier: MIT
# The README's headline figure: the reclaim designs against the lock
# baselines, from the designs sweep (scripts/default-job:
# results/designs/index.tsv).  Writes plots/designs.png and plots/designs.svg.
#   gnuplot plots/designs.gp        (run from the repository root)
if (!exists("index")) index = "results/designs/index.tsv"
if (!exists("out")) out = "plots/designs"
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1500,1000 font "DejaVu Sans,10" noenhanced
    } else {
        set terminal svg size 1500,1000 font "DejaVu Sans,10" noenhanced dynamic background rgb "white"
    }
    set output out . "." . fmt
    set multiplot title "Readers of one shared object while CPU 0 replaces it every 29 µs (icx2s: 2 x 32-core Ice Lake-SP, SMT 2)" font ",13"

    reset
    set origin 0, 0.5
    set size 0.5, 0.47
    set logscale xy 2
    set logscale y 10
    set grid
    set key top left font ",9"
    set title "(a) read throughput: 1 µs read sections, all readers together"
    set xlabel "simulated CPUs"
    set ylabel "million read sections per second"
    call "plots/lib/curves.gp" index "metrics.reads_per_sec" "1e-6"

    reset
    set origin 0.5, 0.5
    set size 0.5, 0.47
    set logscale xy 2
    set logscale y 10
    set grid
    set key top left font ",9"
    set title "(b) why: the read side's own cost (Tree RCU: 0, not drawn)"
    set xlabel "simulated CPUs"
    set ylabel "ns per read section, inside read_lock + read_unlock"
    call "plots/lib/curves.gp" index "metrics.read_side_ns_per_pair" "1"

    reset
    set origin 0, 0
    set size 0.5, 0.48
    set logscale xy 2
    set logscale y 10
    set grid
    set key top left font ",9"
    set title "(c) the price: memory retired but not yet freed (locks free at once)"
    set xlabel "simulated CPUs"
    set ylabel "peak KiB held"
    call "plots/lib/curves.gp" index "metrics.reclaim.bytes_pending_peak" "1.0/1024" \
        "tree_rcu srcu gus ebr-ck hp urcu-qsbr"

    reset
    set origin 0.5, 0
    set size 0.5, 0.48
    set logscale xy 2
    set logscale y 10
    set grid
    set key bottom right font ",9"
    set title "(d) the price: time from retire to free"
    set xlabel "simulated CPUs"
    set ylabel "mean reclaim latency (µs)"
    call "plots/lib/curves.gp" index "metrics.reclaim.reclaim_latency_ns_mean" "1e-3" \
        "tree_rcu srcu gus ebr-ck hp urcu-qsbr"
    unset multiplot
}
