# SPDX-License-Identifier: MIT
# Memory reclamation against simulated CPUs, one line per scheme (sweep
# series): (left) memory held by objects retired but not yet freed,
# (right) grace-period / poll latency.  From a sweep index only.
#   gnuplot -e "index='results/NAME/index.tsv'; out='plots/NAME-reclaim'" plots/reclaim.gp
# Variables (optional but index):
#   memcol, memscale, memlabel   the memory metric, a factor, its axis label
#   latcol, latscale, latlabel   the latency metric, a factor, its axis label
#   series, title
# The default column names are what every reclaim scheme reports through
# rcl_stats_emit() (models/reclaim/reclaim.h).  Writes OUT.png and OUT.svg.
if (!exists("index")) { print "reclaim.gp: set index='results/NAME/index.tsv'"; exit status 2 }
if (!exists("out")) out = "plots/reclaim"
if (!exists("memcol")) memcol = "metrics.reclaim.bytes_pending_peak"
if (!exists("memscale")) memscale = "1.0/1048576"
if (!exists("memlabel")) memlabel = "memory retired but not yet freed, peak (MiB)"
if (!exists("latcol")) latcol = "metrics.reclaim.gp_latency_ns_mean"
if (!exists("latscale")) latscale = "1e-3"
if (!exists("latlabel")) latlabel = "grace-period latency, mean (microseconds)"
if (!exists("series")) series = ""
if (!exists("title")) title = "Memory reclamation against simulated CPUs"
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1300,520 font "DejaVu Sans,10"
    } else {
        set terminal svg size 1300,520 font "DejaVu Sans,10" dynamic background rgb "white"
    }
    set output out . "." . fmt
    set multiplot layout 1,2 title title font ",12"
    reset
    set logscale xy 2
    set logscale y 10
    set grid
    set key top left
    set title "memory held"
    set xlabel "simulated CPUs"
    set ylabel memlabel
    call "plots/lib/curves.gp" index memcol memscale series
    reset
    set logscale xy 2
    set logscale y 10
    set grid
    set key top left
    set title "grace-period / poll latency"
    set xlabel "simulated CPUs"
    set ylabel latlabel
    call "plots/lib/curves.gp" index latcol latscale series
    unset multiplot
    set output
}
