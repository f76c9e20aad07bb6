#!/bin/sh
# The debug kernel's DMA-API debugging must have watched the whole suite:
# it turns itself off for good when one of its own allocations fails
# ("cacheline tracking ENOMEM"), which fail-nth can make happen, so the
# fault injection runs after this (ring/980). Every other file of every
# suite runs before it (run.sh orders all files by number).
. /tests/lib.sh
F=/sys/kernel/debug/dma-api/disabled
[ -e $F ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
if [ ! -e $F ]; then
	skip "DMA-API debugging stayed on for the whole suite" "needs the debug kernel"
	exit 0
fi
# (error_count is not 0: ring/245 unbinds the engine while dmatest holds
# mappings, which DMA-API debugging counts against our driver; it filters
# those reports, and any report it prints fails the kernel-log check.)
check "DMA-API debugging stayed on for the whole suite (dma-api/disabled is N)" \
	expect_eq N cat $F
