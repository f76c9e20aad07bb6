#!/bin/sh
# The tracepoints (issue 15): one copy through the shared ring leaves, in
# order, dmae_svc_submit, dmae_svc_pin (source and destination),
# dmae_svc_jobs, dma_engine's dmae_hw_desc and dmae_hw_doorbell, its
# dmae_hw_complete, dmae_svc_complete and dmae_svc_cqe, all with the
# copy's user_data or cookie; a copy under cpu_threshold leaves
# dmae_svc_cpu instead of the engine's events; a channel reset is traced.
. /tests/lib.sh
ensure_module

T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs nodev $T 2>/dev/null
if [ ! -d $T/events/dmae_svc ]; then
	skip "tracepoints" "no tracefs in this kernel"
	exit 0
fi

trace_on() {
	echo 0 >$T/tracing_on
	echo >$T/trace
	echo 1 >$T/events/dmae_svc/enable
	echo 1 >$T/events/dma_engine/enable
	echo 1 >$T/tracing_on
}
trace_off() {
	echo 0 >$T/tracing_on
	echo 0 >$T/events/dmae_svc/enable
	echo 0 >$T/events/dma_engine/enable
	grep -v '^#' $T/trace >/tmp/trace.out
}
# names: the event names in /tmp/trace.out, in order, one line
names() {
	echo $(sed -n 's/.* \(dmae_[a-z_]*\): .*/\1/p' /tmp/trace.out)
}

check "the service's events are in tracefs" \
	test -d $T/events/dmae_svc/dmae_svc_submit -a -d $T/events/dmae_svc/dmae_svc_cqe
check "the driver's events are in tracefs" \
	test -d $T/events/dma_engine/dmae_hw_desc -a -d $T/events/dma_engine/dmae_hw_reset

# A 64 KiB copy of plain buffers: one job, one descriptor.
trace_on
check "one 64 KiB copy on the engine" one-copy /dev/dma_engine0 65536 0 0x5eed
trace_off
want="dmae_svc_submit dmae_svc_pin dmae_svc_pin dmae_svc_jobs dmae_hw_desc dmae_hw_doorbell dmae_hw_complete dmae_svc_complete dmae_svc_cqe"
check "its events, in order: $want" \
	sh -c "[ \"$(names)\" = \"$want\" ] || { echo 'got: $(names)'; cat /tmp/trace.out; false; }"
check "submit, jobs, complete and cqe carry its user_data" \
	expect_eq 4 sh -c "grep -c 'user_data=0x5eed' /tmp/trace.out"
check "submit says op 1 (COPY) and the length" \
	sh -c "grep -q 'dmae_svc_submit: .*user_data=0x5eed op=1 flags=0x0 len=65536' /tmp/trace.out || { grep dmae_svc_submit /tmp/trace.out; false; }"
check "the descriptor and its completion name the same cookie, 64 KiB" \
	sh -c "c=\$(sed -n 's/.*dmae_hw_desc: .* cookie=\([0-9]*\) op=1 .*len=65536 .*/\1/p' /tmp/trace.out) &&
		[ -n \"\$c\" ] && grep -q \"dmae_hw_complete: .* cookie=\$c status=0 hw_err=0 bytes=65536\" /tmp/trace.out"
check "the completion reports res 65536 and a latency" \
	sh -c "grep -q 'dmae_svc_complete: .*user_data=0x5eed res=65536 latency_ns=[1-9]' /tmp/trace.out"
check "the CQE is not an overflow" \
	sh -c "grep 'dmae_svc_cqe: .*user_data=0x5eed res=65536' /tmp/trace.out | grep -qv overflow"

# Under cpu_threshold: the CPU does it, the engine sees nothing.
trace_on
check "one 100-byte copy under a 4 KiB cpu_threshold" one-copy /dev/dma_engine0 100 4096 0xc0de
trace_off
want="dmae_svc_submit dmae_svc_cpu dmae_svc_cqe"
check "its events: $want" \
	sh -c "[ \"$(names)\" = \"$want\" ] || { echo 'got: $(names)'; cat /tmp/trace.out; false; }"
check "the CQE says it ran on the CPU (cflags 0x1)" \
	sh -c "grep -q 'dmae_svc_cqe: .*user_data=0xc0de res=100 cflags=0x1' /tmp/trace.out"

# A channel reset (fault injection: a stalled channel) is traced.
if [ -e "$DBG_MSIX/inject_stall" ]; then
	trace_on
	echo 1 >"$DBG_MSIX/inject_stall"
	# the watchdog finds it after timeout_ms (5 s)
	one-copy /dev/dma_engine0 4096 0 0x57a1 >/dev/null 2>&1
	trace_off
	check "a stalled channel's reset is traced, with ETIMEDOUT (-110)" \
		sh -c "grep -q 'dmae_hw_reset: 0000:00:04.0 ch[0-9]* err=-110' /tmp/trace.out"
	check "and the stalled copy completes with ETIMEDOUT" \
		sh -c "grep -q 'dmae_svc_cqe: .*user_data=0x57a1 res=-110' /tmp/trace.out"
	check "afterwards a copy works again" one-copy /dev/dma_engine0 4096 0 1
else
	skip "a stalled channel's reset is traced" "04.0 offers no fault injection"
fi
check "pinned pages balanced" pins_balanced
