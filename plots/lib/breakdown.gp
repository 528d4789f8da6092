# SPDX-License-Identifier: MIT
# One panel: where the cycles of an average operation go, by cause, as
# stacked bars, one bar per point of one sweep series (x: simulated CPUs).
#
#   call "plots/lib/breakdown.gp" INDEX SERIES [OPSCOL]
#
# The causes are the engine's cycles_by_cause (summed over all CPUs),
# divided by OPSCOL (default metrics.engine.accesses: every load, store
# and atomic), so a bar is the CPU time one operation costs, and its
# height matches the per-operation latency a CPU sees.  Idle time
# (sleep) is left out.  The caller sets the terminal and labels.
set datafile separator "\t"
set datafile columnheaders
_f = ARG1
_s = ARG2
_ops = (ARGC >= 3 && (ARG3 ne "")) ? ARG3 : "metrics.engine.accesses"
_sel = sprintf("< awk -F'\t' -v s='%s' 'NR == 1 || $2 == s' '%s'", _s, _f)
_c(n) = column("metrics.cycles_by_cause." . n) / column(_ops)
set style data histograms
set style histogram rowstacked
set style fill solid 0.9 border rgb "white"
set boxwidth 0.8
plot _sel using (_c("work") + _c("hit")):xtic(strcol("sim.cpus")) lc rgb "#66a61e" title "local work and cache hits", \
     '' using (_c("queue")) lc rgb "#7570b3" title "queued for the line at its home", \
     '' using (_c("xfer_smt")) lc rgb "#fee08b" title "line transfer: SMT sibling", \
     '' using (_c("xfer_cluster")) lc rgb "#fdae61" title "line transfer: same cluster", \
     '' using (_c("xfer_socket")) lc rgb "#f46d43" title "line transfer: same socket", \
     '' using (_c("xfer_remote")) lc rgb "#a50026" title "line transfer: other socket", \
     '' using (_c("mem") + _c("llc")) lc rgb "#999999" title "memory and LLC", \
     '' using (_c("fence") + _c("sb_stall")) lc rgb "#1f78b4" title "fences and store-buffer stalls", \
     '' using (_c("lock_wait") + _c("spin")) lc rgb "#a6cee3" title "lock waits and spinning", \
     '' using (_c("gp_wait")) lc rgb "#1b9e77" title "grace-period waits", \
     '' using (_c("read_side") + _c("reclaim")) lc rgb "#e7298a" title "read-side sections and reclaim"
