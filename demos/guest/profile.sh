#!/bin/sh
# Guest side of `make profile`: where one 4 KiB copy between registered
# buffers at QD 1 spends its time, from the kernel's own tracepoints:
# the ENTER system call (raw_syscalls, ioctl), the service's and the
# driver's events (dmae_svc, dma_engine), the engine's interrupt
# (irq_handler_entry) and the waiter's wake-up (sched_wakeup). Two
# modes, DMAE_PROFILE_N copies each: interrupt-driven (poll-test ... irq)
# and IOPOLL (poll-test); poll-test checks every copy. A copy's stages
# are the times between its events inside its ENTER; the means over the
# copies whose events came in the most common order go to the host
# between markers.
modprobe dma_engine || { echo "profile: cannot load dma_engine"; exit 1; }
T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs nodev $T 2>/dev/null
N=${DMAE_PROFILE_N:-400}
rc=0
case $(uname -m) in
x86_64) ioctl=16 ;;
aarch64) ioctl=29 ;;
*) echo "profile: unknown architecture"; exit 1 ;;
esac

trace_on() {
	echo 0 >$T/tracing_on
	echo >$T/trace
	echo 16384 >$T/buffer_size_kb
	# The stages are told apart by the process's name in each line; the
	# guests boot without recording names (vm/run-vm.sh says why).
	echo 1 >$T/options/record-cmd
	echo 1 >$T/events/dmae_svc/enable
	echo 1 >$T/events/dma_engine/enable
	echo 1 >$T/events/irq/irq_handler_entry/enable
	echo 'comm == "poll-test"' >$T/events/sched/sched_wakeup/filter
	echo 1 >$T/events/sched/sched_wakeup/enable
	for e in sys_enter sys_exit; do
		echo "id == $ioctl" >$T/events/raw_syscalls/$e/filter
		echo 1 >$T/events/raw_syscalls/$e/enable
	done
	echo 1 >$T/tracing_on
}
trace_off() {
	echo 0 >$T/tracing_on
	echo 0 >$T/events/enable
	echo 0 >$T/options/record-cmd
	echo 0 >$T/events/sched/sched_wakeup/filter
	echo 0 >$T/events/raw_syscalls/sys_enter/filter
	echo 0 >$T/events/raw_syscalls/sys_exit/filter
	grep -v '^#' $T/trace >"$1"
	echo "# profile: $(grep -c . "$1") events, $(cat $T/per_cpu/cpu*/stats 2>/dev/null | awk '/^overrun/ { s += $2 } END { print s + 0 }') lost"
}

# stages TRACE: one line per stage, its mean in us over the complete
# copies, and the share of the total
stages() {
	awk '
	function ts(   m) { match($0, / [0-9]+\.[0-9]+: /); return substr($0, RSTART + 1, RLENGTH - 3) + 0 }
	function ev(   m) { match($0, /: [a-z_]+: /); return substr($0, RSTART + 2, RLENGTH - 4) }
	{
		e = ev(); t = ts()
		if (e == "sys_enter" && $0 ~ /poll-test-/) { open = 1; n = 0; t0 = t; if (last_exit) user_t = t - last_exit; next }
		if (!open) next
		if (e == "irq_handler_entry" && $0 !~ /dma_engine/) next
		if (e == "sys_exit" && $0 ~ /poll-test-/) {
			open = 0; last_exit = t
			seq = ""
			for (i = 0; i < n; i++) seq = seq " " nm[i]
			if (!(seq in seen)) { seen[seq] = 1; seqs[nseq++] = seq }
			cnt[seq]++
			prev = t0
			for (i = 0; i < n; i++) { d[seq, i] += tm[i] - prev; prev = tm[i] }
			d[seq, n] += t - prev; tot[seq] += t - t0; len[seq] = n
			if (user_t) { ut[seq] += user_t; uc[seq]++ }
			next
		}
		# the first of each kind in the window (a second irq or wake-up is not a stage)
		for (i = 0; i < n; i++) if (nm[i] == e) next
		nm[n] = e; tm[n] = t; n++
	}
	END {
		best = ""
		for (k = 0; k < nseq; k++) if (best == "" || cnt[seqs[k]] > cnt[best]) best = seqs[k]
		if (best == "") { print "no complete copy in the trace"; exit 1 }
		split(best, names, " ")
		c = cnt[best]
		printf "%d of the copies took this path (events in this order):\n", c
		printf "  %-44s %9s %6s\n", "stage (from the event before)", "mean us", "share"
		prevn = "ENTER (sys_enter)"
		for (i = 0; i < len[best]; i++) {
			printf "  %-44s %9.1f %5.1f%%\n", prevn " -> " names[i + 1], d[best, i] / c * 1e6, 100 * d[best, i] / tot[best]
			prevn = names[i + 1]
		}
		printf "  %-44s %9.1f %5.1f%%\n", prevn " -> sys_exit", d[best, len[best]] / c * 1e6, 100 * d[best, len[best]] / tot[best]
		printf "  %-44s %9.1f\n", "total, ENTER to its return", tot[best] / c * 1e6
		if (uc[best]) printf "  %-44s %9.1f\n", "in user space between two ENTERs", ut[best] / uc[best] * 1e6
		for (k = 0; k < nseq; k++) if (seqs[k] != best) other += cnt[seqs[k]]
		printf "  (%d other copies took other paths and are not in the means)\n", other
	}' "$1"
}

echo "# profile-begin"
for mode in irq poll; do
	echo "== a 4 KiB registered copy at QD 1, $( [ $mode = irq ] && echo interrupt-driven || echo IOPOLL), $N copies =="
	trace_on
	if [ $mode = irq ]; then
		poll-test /dev/dma_engine0 "$N" 4096 irq || rc=1
	else
		poll-test /dev/dma_engine0 "$N" 4096 || rc=1
	fi
	trace_off /tmp/trace.$mode
	stages /tmp/trace.$mode || rc=1
done
echo "# profile-end"
echo "# profile-rc $rc"
