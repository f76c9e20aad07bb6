#!/bin/sh
# URING_CMD on an io_uring set up with IORING_SETUP_IOPOLL (issue 14,
# item 1): the copies ask for no interrupt and io_uring's wait reaps the
# engine through uring_cmd_iopoll; no interrupt of the engines fires while
# they run. With the watchdog set off (10 min), a copy that nobody reaped
# would run into the guard of 120 s instead of being rescued by it.
# (tests/guest/tools/uring-poll-test.c; the dmaengine backend, which
# cannot be polled, refuses them in ring/270.)
. /tests/lib.sh
ensure_module
T=/sys/module/dma_engine/parameters/timeout_ms
echo 600000 >$T
i0=$(dmae_irq_count)
prog timeout 120 uring-poll-test /dev/dma_engine0 200 4096
prog timeout 120 uring-poll-test /dev/dma_engine0 20 1048576
prog timeout 120 uring-poll-test /dev/dma_engine0 64 65536 burst
prog timeout 120 uring-poll-test /dev/dma_engine0 64 4096 ptr-burst
i1=$(dmae_irq_count)
check "... and no interrupt of the engines meanwhile ($i0 -> $i1)" test "$i1" = "$i0"
prog timeout 120 uring-poll-test /dev/dma_engine2 4 65536
echo 5000 >$T
check "pinned pages balanced" pins_balanced
