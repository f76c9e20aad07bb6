# Sourced by guest tests: TAP helpers and device lookup. busybox sh.

# check DESC CMD...: ok if CMD succeeds; its output goes to the log on failure
check() {
	_desc=$1
	shift
	if "$@" >/tmp/check.out 2>&1; then
		echo "ok - $_desc"
	else
		echo "not ok - $_desc"
		sed 's/^/#   /' /tmp/check.out
	fi
}

skip() {
	echo "ok - $1 # SKIP $2"
}

# expect_eq WANT CMD...: CMD's output (trimmed) must be WANT
expect_eq() {
	_want=$1
	shift
	_got=$("$@" 2>&1)
	[ "$_got" = "$_want" ] || { echo "want '$_want', got '$_got'"; return 1; }
}

# The dma-engine functions, one sysfs path per line
dmae_devices() {
	for _d in /sys/bus/pci/devices/*; do
		[ "$(cat "$_d/vendor")" = 0x1234 ] &&
			[ "$(cat "$_d/device")" = 0x3456 ] && echo "$_d"
	done
}

# Sum of the dma_engine interrupt counts over all CPUs
dmae_irq_count() {
	awk '/dma_engine/ { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i }
	     END { print s + 0 }' /proc/interrupts
}

pins_balanced() {
	# fold the per-CPU counters into /proc/vmstat first
	echo 1 >/proc/sys/vm/stat_refresh
	_a=$(awk '/nr_foll_pin_acquired/ { print $2 }' /proc/vmstat)
	_r=$(awk '/nr_foll_pin_released/ { print $2 }' /proc/vmstat)
	[ "$_a" = "$_r" ] || { echo "pins acquired $_a, released $_r"; return 1; }
}

# allow_dmar_faults N: the calling test provokes up to N IOMMU faults on
# purpose; run.sh checks at the end that no other fault happened.
allow_dmar_faults() {
	echo $(($(cat /tmp/dmar-allowed 2>/dev/null || echo 0) + $1)) >/tmp/dmar-allowed
}

# dmar_faults: the IOMMU faults in the kernel log on stdin, VT-d's
# "DMAR: [DMA ..." lines or the SMMUv3's "event 0xNN received:" (one line
# per event)
dmar_faults() {
	grep -cE 'DMAR: \[DMA|arm-smmu-v3 .*event 0x[0-9a-f]+ received'
}

# kmark NAME: put a marker into the kernel log; dmesg_since NAME prints the
# log from the last such marker on (the whole ring if it has rotated out).
# Tests use these instead of clearing the ring with "dmesg -c", which
# would hide earlier messages from run.sh's IOMMU fault count. The marker
# is KERN_DEBUG, so that the console does not print it into a TAP line.
kmark() {
	echo "<7>dmae-mark $1 " >/dev/kmsg
}
dmesg_since() {
	dmesg | awk -v m="dmae-mark $1 " 'index($0, m) { n = NR } { l[NR] = $0 }
		END { for (i = n + 1; i <= NR; i++) print l[i] }'
}

# prog CMD [ARGS...]: one test program of one feature, liburing's way:
# its own TAP lines, then its exit status (0 pass, 77 skip, anything else
# fail) and the kernel log since it started (klog-bad.ere), so that a
# report there names the program that caused it. Foreground only.
prog() {
	kmark prog
	"$@"
	_rc=$?
	case $_rc in
	0) echo "ok - $*: exits 0" ;;
	77) echo "ok - $* # SKIP exit 77" ;;
	*) echo "not ok - $*: exits $_rc" ;;
	esac
	if dmesg_since prog | grep -E -f /tests/klog-bad.ere >/tmp/prog.klog; then
		echo "not ok - $*: the kernel log after it is clean"
		sed 's/^/#   /' /tmp/prog.klog | head -n 20
	else
		echo "ok - $*: the kernel log after it is clean"
	fi
	return $_rc
}

# The shared ring's programs, one per feature (tools/ring/)
RING_PROGS="ring-copy ring-ops ring-bad-entries ring-cpu-path ring-cpu-auto ring-fixed
ring-memlock ring-overflow ring-signal-close ring-bad-setup"

# The engines of vm/run-vm.sh
DEV_MSIX=/sys/bus/pci/devices/0000:00:04.0	# MSI-X, 4 channels
DEV_INTX=/sys/bus/pci/devices/0000:00:05.0	# INTx only, 2 channels
DEV_MSI=/sys/bus/pci/devices/0000:00:06.0	# MSI, 1 channel at 1 MB/s
# and their test hooks (bench, self-tests, fault injection) in debugfs
DBG_MSIX=/sys/kernel/debug/dma_engine/0000:00:04.0
DBG_INTX=/sys/kernel/debug/dma_engine/0000:00:05.0
DBG_MSI=/sys/kernel/debug/dma_engine/0000:00:06.0

# chan_stat DEV CH FIELD: a counter of chan_stats
chan_stat() {
	awk -v ch="ch$2" -v f="$3" '$1 == ch { for (i = 2; i < NF; i++) if ($i == f) print $(i + 1) }' "$1/chan_stats"
}

ensure_module() {
	[ -d /sys/module/dma_engine ] || modprobe dma_engine
}

# dmatest_wait: until every dmatest thread has run to its end. Reading
# dmatest's "wait" returns at once while a thread has been told to run but
# has not started yet (dmatest counts a pending thread as not running); an
# rmmod then stops it in its copy (kthread_stop() ends its wait as a
# signal would: "test timed out", seen on a loaded host). Its threads are
# named CHANNEL-OPn (dma0chan2-copy3); each is gone once it has ended.
dmatest_wait() {
	cat /sys/module/dmatest/parameters/wait >/dev/null
	while grep -qsE '^dma[0-9]+chan[0-9]+-' /proc/[0-9]*/comm; do
		sleep 0.1
	done
	cat /sys/module/dmatest/parameters/wait >/dev/null
}
