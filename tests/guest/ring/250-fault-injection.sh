#!/bin/sh
# Allocation failures injected with fail-nth into every call that reaches
# the driver (debug kernel only: FAILSLAB, FAIL_PAGE_ALLOC): each fails
# with an errno or succeeds, every request completes once, nothing stays
# pinned. Sleeping allocations are made failable too.
. /tests/lib.sh
ensure_module
if [ ! -e /proc/self/fail-nth ]; then
	skip "fail-nth fault injection" "needs the debug kernel"
	exit 0
fi
for f in failslab fail_page_alloc; do
	echo N >/sys/kernel/debug/$f/ignore-gfp-wait
	echo 0 >/sys/kernel/debug/$f/verbose
done
echo N >/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem
failnth-test /dev/dma_engine0 "${DMAE_FAILNTH_MAX:-400}"
check "pinned pages balanced after the injected failures" pins_balanced
