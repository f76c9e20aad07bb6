#!/bin/sh
# The engine from a stock io_uring (IORING_OP_URING_CMD).
. /tests/lib.sh
ensure_module

prog uring-test /dev/dma_engine0
check "pinned pages balanced after uring-test" pins_balanced
check "io_uring torn down with 64 MiB of commands in flight" \
	uring-test --exit-inflight /dev/dma_engine0
sleep 1
check "pinned pages balanced after the teardown" pins_balanced
check "the engine works after the teardown" \
	sh -c "uring-test --bench /dev/dma_engine0 | tee /tmp/uring-bench | grep -q 'bench ratio'"
sed 's/^/# /' /tmp/uring-bench
