#!/bin/sh
# Allocation failures injected with fail-nth into every call that reaches
# the driver (debug kernel only: FAILSLAB, FAIL_PAGE_ALLOC): each fails
# with an errno or succeeds, every request completes once, nothing stays
# pinned. Sleeping allocations are made failable too. Then the same on
# the dmaengine backend. Numbered last but for kmemleak's scan: DMA-API
# debugging turns itself off for good when an injected failure hits one
# of its own allocations ("cacheline tracking ENOMEM"), so every other
# file runs before, with it on (and kmemleak looks at the error paths'
# leftovers after).
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

# The same through the dmaengine backend on two of 04.0's channels.
P=/sys/module/dmae_svc/parameters/dma_channels
first=$(ls "$DEV_MSIX/dma" | head -n 1)
eng=${first%chan*}
D=/dev/dmae_$eng
if echo "${eng}chan2,${eng}chan3" >$P 2>/dev/null && [ -e $D ]; then
	failnth-test "$D" "${DMAE_FAILNTH_MAX:-200}" |
		sed 's/^\(\(not \)\{0,1\}ok - \)/\1dmaengine backend: /'
	check "pinned pages balanced after the injected failures on $D" pins_balanced
	echo >$P
else
	check "the dmaengine backend takes two of 04.0's channels for fail-nth" false
fi
