#!/bin/sh
# The driver's "bench" attribute: streaming and seed modes, and bad input.
. /tests/lib.sh
ensure_module
f=$DEV_MSIX/bench

check "bench: 64 streaming copies of 64 KiB" expect_eq OK wr "$f" "65536 64"
check "bench: the result reads back in queue mode" \
	sh -c "grep -q '^size 65536 count 64 ns [0-9]* mbps [0-9]* mode queue p50 0 p99 0$' $f"
check "bench: 16 seed copies of 4 KiB, one at a time" expect_eq OK wr "$f" "seed 4096 16"
check "bench: seed mode reads back with per-copy p50 and p99" \
	sh -c "grep -qE '^size 4096 count 16 ns [1-9][0-9]* mbps [0-9]+ mode seed p50 [1-9][0-9]* p99 [1-9][0-9]*$' $f"
check "bench: size 0 is refused with EINVAL" expect_eq EINVAL wr "$f" "0 1"
check "bench: count 0 is refused with EINVAL" expect_eq EINVAL wr "$f" "4096 0"
check "bench: count 1025 is refused with EINVAL" expect_eq EINVAL wr "$f" "4096 1025"
check "bench: 8 MiB is refused with E2BIG" expect_eq E2BIG wr "$f" "8388608 1"
check "bench: seed 8 MiB is refused with E2BIG" expect_eq E2BIG wr "$f" "seed 8388608 1"
check "bench: text is refused with EINVAL" expect_eq EINVAL wr "$f" "fast please"
check "bench: 'seed' alone is refused with EINVAL" expect_eq EINVAL wr "$f" "seed"
check "bench: a failed write keeps the last result" \
	sh -c "grep -q '^size 4096 count 16 .* mode seed ' $f"
