#!/bin/sh
# The driver's debugfs "bench" hook: streaming and seed modes, and bad
# input; the debugfs hooks' own rules; unbind while a hook runs.
. /tests/lib.sh
ensure_module
f=$DBG_MSIX/bench

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

# The hooks' file rules, for root too (root passes the mode bits)
check "a write-only hook refuses to be read, by root too (EACCES)" \
	sh -c "! cat $DBG_MSIX/chan_selftest 2>/dev/null"
check "a read-only hook refuses a write (EACCES)" \
	expect_eq EACCES wr "$DBG_MSIX/chan_selftest_max" 1
check "a command of 64 bytes or more is refused (EINVAL)" \
	expect_eq EINVAL wr "$f" "$(printf '%064d' 1)"

# Unbind while a hook runs: the unbind waits for it (the hooks go first),
# then they are gone, and they come back with the device. 06.0 moves
# 1 MB/s, so 2 x 1 MiB keep the hook busy for about 2 s.
drv=/sys/bus/pci/drivers/dma_engine
unbind_under_bench() {
	wr "$DBG_MSI/bench" "1048576 2" >/tmp/bench-unbind.out &
	_p=$!
	# the write is under way once the engine has its first descriptor
	_n=0
	until [ "$(chan_stat "$DEV_MSI" 0 submitted)" != "$1" ]; do
		_n=$((_n + 1))
		[ $_n -le 600 ] || { echo "bench never started"; kill $_p; return 1; }
		sleep 0.1
	done
	echo 0000:00:06.0 >$drv/unbind || return 1
	wait $_p
	echo "bench during unbind: $(cat /tmp/bench-unbind.out)"
	# it finished its copies before the device went: they are whole
	[ "$(cat /tmp/bench-unbind.out)" = OK ] || return 1
	[ ! -e "$DBG_MSI" ] || { echo "hooks still there"; return 1; }
	echo 0000:00:06.0 >$drv/bind || return 1
	[ -e "$DBG_MSI/bench" ]
}
check "unbind waits for a bench under way (its copies whole), then the hooks go; bind brings them back" \
	unbind_under_bench "$(chan_stat "$DEV_MSI" 0 submitted)"
check "06.0 copies again after it" expect_eq OK wr "$DBG_MSI/chan_selftest" 4096
