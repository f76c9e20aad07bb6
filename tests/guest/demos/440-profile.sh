#!/bin/sh
# make profile's guest side (demos/guest/profile.sh), a few copies: it
# runs, every copy is checked, and its parser finds the stages of both
# modes in the trace. (The figures come from make profile, not here.)
# The interrupt may be taken on the other CPU before the submitter's
# doorbell event is written (TCG, a busy host): either order is a path.
. /tests/lib.sh
ensure_module
[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
if [ ! -d /sys/kernel/tracing/events/raw_syscalls ]; then
	skip "profile: the breakdown of a copy" "no syscall tracepoints in this kernel"
	exit 0
fi
check "profile: 30 copies in each mode, a breakdown of each" \
	sh -c "DMAE_PROFILE_N=30 sh /demos/profile.sh >/tmp/prof.out 2>&1;
	       grep -q '^# profile-rc 0' /tmp/prof.out &&
	       [ \$(grep -c 'of the copies took this path' /tmp/prof.out) = 2 ] &&
	       grep -qE 'doorbell -> irq_handler_entry|irq_handler_entry -> dmae_hw_doorbell' /tmp/prof.out &&
	       grep -q 'dmae_hw_doorbell -> dmae_hw_complete' /tmp/prof.out || { cat /tmp/prof.out; false; }"
check "profile: the tracing is off again afterwards" \
	expect_eq 0 cat /sys/kernel/tracing/tracing_on
