#!/bin/sh
# Polled completions (issue 14, item 1): a DMAE_SETUP_IOPOLL ring's copies
# ask for no interrupt and its waits reap the channel themselves. While
# polling keeps up (a budget no copy here comes near), no interrupt of the
# engines fires at all; with no budget every wait falls back to sleeping
# with an interrupt asked for (hybrid), which wakes it, also on a slow
# engine. Every copy is checked. (tests/guest/tools/poll-test.c)
. /tests/lib.sh
ensure_module
P=/sys/module/dmae_svc/parameters/poll_usec

check "poll_usec is there, 100 us by default" expect_eq 100 cat $P
check "the native engine offers IOPOLL (setup with it works)" poll-test /dev/dma_engine0 0 0

# Polling keeps up: the budget (2 s) is a bound no 4 KiB copy comes near.
echo 2000000 >$P
i0=$(dmae_irq_count)
check "200 polled copies of 4 KiB between registered buffers" poll-test /dev/dma_engine0 200 4096
i1=$(dmae_irq_count)
check "... and no interrupt of the engines meanwhile ($i0 -> $i1)" test "$i1" = "$i0"
i0=$(dmae_irq_count)
check "50 polled copies of 1 MiB" poll-test /dev/dma_engine0 50 1048576
i1=$(dmae_irq_count)
check "... no interrupt either ($i0 -> $i1)" test "$i1" = "$i0"
check "a polled context spread over 04.0's channels: 100 copies" \
	poll-test /dev/dma_engine0 100 65536 spread

# No budget: each wait that finds its copy not done asks for an interrupt
# and sleeps; it is woken by that interrupt. On 04.0 a 4 KiB copy may be
# done before the wait looks (then no interrupt is needed), so there only
# the copies are checked, with the watchdog set far off (10 min): a wait
# that slept with no interrupt asked for would run into the guard of 120 s
# instead of being rescued by the watchdog. On the slow engine (06.0,
# 1 MB/s) a 1 MiB copy takes a second of the device's own pacing, so the
# wait, a few microseconds after the doorbell in the same system call,
# always finds it running: each of the two waits sleeps, and its
# interrupt must come.
T=/sys/module/dma_engine/parameters/timeout_ms
echo 600000 >$T
echo 0 >$P
check "hybrid: 50 copies of 4 KiB with poll_usec 0, none left waiting" \
	timeout 120 poll-test /dev/dma_engine0 50 4096
i0=$(dmae_irq_count)
check "hybrid on the slow engine (06.0, 1 MB/s): 2 copies of 1 MiB, each wait sleeps" \
	timeout 120 poll-test /dev/dma_engine2 2 1048576
i1=$(dmae_irq_count)
check "... and is woken by the interrupt it asked for ($i0 -> $i1)" \
	test "$i1" -ge $((i0 + 2))
echo 5000 >$T
echo 100 >$P
check "the default budget: 100 copies of 64 KiB" poll-test /dev/dma_engine0 100 65536

# Nobody polls any more: the close, and an unbind, ask for the interrupt
# themselves. With the watchdog set far off (10 min), a close or unbind
# that waited for it would run into the guard of 120 s instead.
echo 600000 >$T
# A ring exactly full of jobs that asked for no interrupt: 128 copies of
# 4 KiB (a job each) on the slow engine (06.0, 1 MB/s, one channel with a
# ring of ring_size = 128). The wait, with no polling budget, finds
# nothing done yet and asks for its interrupt: a NOP that waits in the
# backlog behind the full ring, which must interrupt at its end to let it
# in (found by the benchmark: such waits lasted until the watchdog, 5 s;
# here it is set to 10 min, so without that the guard of 120 s ends the
# test). Then the same on 04.0 with bigger copies and more than a ring.
check "ring_size is 128 (the arithmetic above)" \
	sh -c "[ \$(cat /sys/module/dma_engine/parameters/ring_size) = 128 ]"
echo 0 >$P
check "128 polled copies of 4 KiB at once on 06.0, a full ring, poll_usec 0" \
	timeout 120 poll-test /dev/dma_engine2 128 4096 burst
check "64 polled copies of 1 MiB at once on 04.0 (more than a ring of jobs)" \
	timeout 120 poll-test /dev/dma_engine0 64 1048576 burst
echo 2000000 >$P
check "the same, polled with a budget" \
	timeout 120 poll-test /dev/dma_engine0 64 1048576 burst
echo 100 >$P
check "exit with 8 polled copies of 1 MiB in flight: the close finishes" \
	timeout 120 poll-test /dev/dma_engine0 8 1048576 leave
check "pinned pages balanced after the close" pins_balanced
poll-test /dev/dma_engine2 4 65536 leave >/dev/null &
pp=$!
check "unbind 06.0 with polled copies in flight: it finishes" \
	timeout 120 sh -c "echo 0000:00:06.0 >/sys/bus/pci/drivers/dma_engine/unbind"
wait $pp
check "06.0 binds again" sh -c "echo 0000:00:06.0 >/sys/bus/pci/drivers/dma_engine/bind"
echo 5000 >$T
check "06.0 copies again" poll-test /dev/dma_engine2 2 4096
check "pinned pages balanced" pins_balanced
