#!/bin/sh
# SQ polling (issue 14, item 2): a DMAE_SETUP_SQPOLL context's kernel
# thread takes what the process publishes; idle, it sets NEED_WAKEUP and
# sleeps until ENTER wakes it; file entries name registered files; the
# thread goes away at close, at kill -9 and at unbind; sqpoll_max bounds
# the threads. Every copy is checked. (tests/guest/tools/sqpoll-test.c)
. /tests/lib.sh
ensure_module
M=/sys/module/dmae_svc/parameters/sqpoll_max
# sq_threads: the SQ threads that exist now
sq_threads() {
	cat /proc/[0-9]*/comm 2>/dev/null | grep -c '^dmae-sq/'
}

check "sqpoll_max is there, 8 by default" expect_eq 8 cat $M
check "no SQ thread before any context" expect_eq 0 sq_threads
prog sqpoll-test /dev/dma_engine0 setup
prog sqpoll-test /dev/dma_engine0 copies 200 4096
prog sqpoll-test /dev/dma_engine0 copies 20 1048576
# SQPOLL with IOPOLL: the thread reaps the copies, which ask for no
# interrupt, and the process's waits sleep until it posts them. With the
# watchdog set off (10 min), a wait that nobody reaps for runs into the
# guard of 120 s (found on the debug kernel: when the wait came before
# the thread had taken the entry, only the watchdog ended it).
T=/sys/module/dma_engine/parameters/timeout_ms
echo 600000 >$T
i0=$(dmae_irq_count)
prog timeout 120 sqpoll-test /dev/dma_engine0 copies 100 65536 iopoll
i1=$(dmae_irq_count)
check "... and no interrupt of the engines meanwhile ($i0 -> $i1)" test "$i1" = "$i0"
echo 5000 >$T
prog sqpoll-test /dev/dma_engine2 copies 4 65536
prog sqpoll-test /dev/dma_engine0 wakeup
prog sqpoll-test /dev/dma_engine0 share
prog sqpoll-test /dev/dma_engine0 stall
mkdir -p /mnt/tmpfs
mountpoint -q /mnt/tmpfs || mount -t tmpfs -o size=64m tmpfs /mnt/tmpfs
prog sqpoll-test /dev/dma_engine0 files /mnt/tmpfs
check "pinned pages balanced" pins_balanced
check "every SQ thread ended with its context's close" expect_eq 0 sq_threads

echo 2 >$M
prog sqpoll-test /dev/dma_engine0 limit 2
echo 8 >$M

# kill -9 with SQPOLL copies in flight: the close ends the thread.
sqpoll-test /dev/dma_engine0 copies 1000000 1048576 >/dev/null 2>&1 &
p=$!
wait_threads() {
	_n=0
	while [ "$(sq_threads)" != "$1" ] && [ $_n -lt 600 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	[ "$(sq_threads)" = "$1" ]
}
check "a copying SQPOLL context has its thread" wait_threads 1
kill -9 $p
wait $p 2>/dev/null
check "kill -9: the thread is gone" wait_threads 0
check "pinned pages balanced after the kill" pins_balanced

# Unbind with an SQPOLL context open: its thread ends at once, the
# context stays and then says ENODEV; 06.0 binds and works again.
rm -f /tmp/sq-go
sqpoll-test /dev/dma_engine2 hold /tmp/sq-go gone >/tmp/sq-hold.out 2>&1 &
p=$!
check "an SQPOLL context on 06.0 has its thread" wait_threads 1
check "unbind 06.0 with it open" \
	timeout 120 sh -c "echo 0000:00:06.0 >/sys/bus/pci/drivers/dma_engine/unbind"
gone_open() { wait_threads 0 && kill -0 $p; }
check "the thread ended with the unbind, the context still open" gone_open
touch /tmp/sq-go
wait $p
rc=$?
sed 's/^/# /' /tmp/sq-hold.out
check "the context's next copy failed with ENODEV (exit $rc)" \
	sh -c "[ $rc = 0 ] && grep -q '^ok - sqpoll: after the unbind' /tmp/sq-hold.out"
check "06.0 binds again" sh -c "echo 0000:00:06.0 >/sys/bus/pci/drivers/dma_engine/bind"
prog sqpoll-test /dev/dma_engine2 copies 2 4096
check "pinned pages balanced at the end" pins_balanced
