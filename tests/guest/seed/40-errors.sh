#!/bin/sh
# Bad values are refused with a specific error; a timed-out copy is aborted.
. /tests/lib.sh

dev=$(dmae_devices | head -n1)
f=$dev/copy_size

check "0 is refused with EINVAL" expect_eq EINVAL wr "$f" 0
check "-1 is refused with EINVAL" expect_eq EINVAL wr "$f" -1
check "'abc' is refused with EINVAL" expect_eq EINVAL wr "$f" abc
check "'12x' is refused with EINVAL" expect_eq EINVAL wr "$f" 12x
check "empty line is refused with EINVAL" expect_eq EINVAL wr "$f" "
"
check "2^64 overflows with ERANGE" \
	expect_eq ERANGE wr "$f" 18446744073709551616
check "max_copy_size + 1 is refused with E2BIG" expect_eq E2BIG wr "$f" 2097153
check "4 GiB is refused with E2BIG" expect_eq E2BIG wr "$f" 4294967296
check "copy_size is write-only" sh -c "! cat $f"

# timeout_ms=0: the copy is aborted unless it beat the wait; either way the
# driver recovers and the next copy works.
p=/sys/module/dma_engine/parameters/timeout_ms
old=$(cat $p)
echo 0 >$p
r=$(wr "$f" 2097152)
echo "$old" >$p
check "a copy that times out is aborted with ETIMEDOUT (or finished): $r" \
	sh -c "[ '$r' = ETIMEDOUT ] || [ '$r' = OK ]"
check "the next copy after a timeout works" expect_eq OK wr "$f" 1048576
