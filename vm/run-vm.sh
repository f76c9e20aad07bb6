#!/usr/bin/env bash
# Boot the guest once and run a suite in it; the serial console goes to a
# log file (and to stdout with --verbose).
#   run-vm.sh --iommu on|off --suite NAME --log FILE [--timeout SEC] [--verbose]
#             [--append "dmae.KEY=VALUE ..."] (the suite sees $DMAE_KEY)
#             [--perf] (no slab and page poisoning: for measurements)
#             [--kernel stock|debug] (debug: KASAN, lockdep, ...;
#             scripts/build-debug-guest.sh builds it)
#             [--arch x86|arm64] (arm64: the seed's virt machine, GICv3
#             ITS, SMMUv3 for --iommu on; scripts/build-arm64.sh builds it)
# DMAE_QEMU=PATH runs another qemu-system-x86_64 (the gcov build, say).
# Exit status: QEMU's, or 124 if the guest did not finish in time.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
. "$top/vm/kernel-abi.sh"

iommu=off suite=all log= timeout=300 verbose=0 extra= perf=0 kernel=stock
arch=${DMAE_ARCH:-x86}
usage() {
	sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
	exit "${1:-0}"
}
while [ $# -gt 0 ]; do
	case "$1" in
	--iommu) iommu=$2; shift 2 ;;
	--suite) suite=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--verbose) verbose=1; shift ;;
	--append) extra=$2; shift 2 ;;
	--perf) perf=1; shift ;;
	--kernel) kernel=$2; shift 2 ;;
	--arch) arch=$2; shift 2 ;;
	-h|--help) usage 0 ;;
	*) echo "run-vm: unknown argument '$1'" >&2; usage 2 ;;
	esac
done
[ -n "$log" ] || { echo "run-vm: --log is required" >&2; exit 2; }
case "$iommu" in on|off) ;; *) echo "run-vm: --iommu on|off" >&2; exit 2 ;; esac
case "$arch" in x86|arm64) ;; *) echo "run-vm: --arch x86|arm64" >&2; exit 2 ;; esac
[ "$arch" = arm64 ] && [ "$kernel" = debug ] &&
	{ echo "run-vm: no debug kernel for arm64" >&2; exit 2; }

qemu=${DMAE_QEMU:-$BUILD/qemu-build/qemu-system-x86_64}
# Not "quiet": a guest that hangs while booting leaves its last words in
# the log (the kernel log is dumped again, whole, at the end).
# unknown_nmi_panic and panic_print=0x40: the NMI that run-vm's hang guard
# sends a hung x86 guest makes it print every CPU's stack as it panics.
append="panic=-1 oops=panic mitigations=off cryptomgr.notests rdinit=/init"
append+=" unknown_nmi_panic panic_print=0x40"
# The tracer does not record process names: doing so hooks sched_switch,
# and each enable or disable of an event then live-patches __schedule()
# (text_poke_bp) while the other vCPU runs it. Under TCG that once left
# a vCPU executing from the middle of the patched instruction with the
# runqueue lock held (CI, ring/280-trace, both cores busy): the tests
# need their own events, not the scheduler patched.
append+=" trace_options=norecord-cmd"
if [ "$arch" = x86 ]; then
	append+=" console=ttyS0 8250.nr_uarts=1 tsc=reliable no_timer_check"
else
	append+=" console=ttyAMA0"
fi
append+=" dmae.suite=$suite${extra:+ $extra}"
# Tests run with slab and page poisoning, to catch use-after-free and
# overruns; measurements without, since poisoning every allocation costs
# more than the work being measured.
[ "$perf" = 1 ] || append+=" slub_debug=FZPU page_poison=1"
case "$kernel" in
stock)
	vmlinux=$BUILD/kernel/$KABI/vmlinux initrd=$BUILD/initramfs.cpio ;;
debug)
	vmlinux=$(cat "$BUILD/debug/kernel-dir")/bzImage
	initrd=$BUILD/initramfs-debug.cpio
	# KASAN reports every bad access, not only the first
	append+=" kasan.fault=report" ;;
*) echo "run-vm: --kernel stock|debug" >&2; exit 2 ;;
esac
if [ "$arch" = arm64 ]; then
	. "$top/vm/kernel-abi.sh"
	A64=${KABI%-amd64}-arm64
	vmlinux=$BUILD/arm64/kernel/boot/vmlinuz-$A64 initrd=$BUILD/arm64/initramfs.cpio
	qemu=${DMAE_QEMU:-$BUILD/qemu-build/qemu-system-aarch64}
fi
# Named threads ("CPU 0/TCG", "dma-engine-ch0"), for hang_dump
args=(-name dmae,debug-threads=on -smp 2 -m 1G -nodefaults -display none -no-reboot
	-serial stdio -kernel "$vmlinux" -initrd "$initrd")
if [ "$arch" = arm64 ]; then
	# The seed's platform: virt with GICv3 (MSI and MSI-X through its
	# ITS), our devices on the root bus (Root Complex Integrated
	# Endpoints), and with --iommu on the SMMUv3 translating for them.
	m=virt,gic-version=3
	if [ "$iommu" = on ]; then
		m+=,iommu=smmuv3
		append+=" iommu.passthrough=0 iommu.strict=1"
	fi
	args+=(-M "$m" -cpu cortex-a57)
elif [ "$iommu" = on ]; then
	args+=(-M q35)
	# The IOMMU must come before the devices it translates for.
	args+=(-device intel-iommu,intremap=on,device-iotlb=on)
	append+=" intel_iommu=on iommu.strict=1"
else
	args+=(-M q35)
	append+=" intel_iommu=off"
fi
# Three engines: 04.0 with MSI-X and 4 channels, and the fault injection
# block (inert until a test arms it); 05.0 with INTx only and 2 channels;
# 06.0 with MSI, 1 channel throttled to 1 MB/s (for hangs).
# DMAE_PROPS adds properties to 04.0, for experiments (",buf-size=32768").
args+=(-device "dma-engine,addr=04.0,x-fault-inject=on${DMAE_PROPS:-}"
	-device dma-engine,addr=05.0,msi=off,msix=off,channels=2
	-device dma-engine,addr=06.0,msix=off,channels=1,bandwidth-mbps=1)

# DMAE_QEMU_ARGS adds QEMU options, for debugging (a monitor socket, say).
args+=(${DMAE_QEMU_ARGS:-})
mkdir -p "$(dirname "$log")"

# hang_dump QEMU_PID: where each of QEMU's threads is, taken before the
# hang guard ends it: a device-model deadlock shows as threads waiting on
# locks, a hung guest as vCPUs running guest code. The last line sums up
# the lock waits (tests/guest-suite.sh quotes it).
hang_dump() {
	echo "# hang-dump: QEMU (pid $1) still running after ${timeout}s; its threads:"
	if ! command -v gdb >/dev/null; then
		echo "# hang-dump: no gdb (make deps installs it)"
		return
	fi
	timeout 120 gdb -q -batch -p "$1" -ex 'info threads' \
		-ex 'thread apply all bt 20' </dev/null 2>&1 | sed 's/^/#   /' |
		tee "$log.gdb" || true
	awk '/^#   Thread [0-9]+ / { t = "?"
			if (match($0, /"[^"]*"/)) t = substr($0, RSTART + 1, RLENGTH - 2)
			w = 0; next }
		/__lll_lock_wait|pthread_mutex_lock/ { w = 1; next }
		w == 1 && / in [a-z_0-9]+ / { f = $0; sub(/.* in /, "", f)
			sub(/ .*/, "", f)
			if (f !~ /^(qemu_mutex_lock_impl|qemu_mutex_lock_iothread_impl|lll_mutex_lock_optimized|___?pthread_mutex_lock|__GI___pthread_mutex_lock)$/) {
				l = l (l ? ", " : "") t " in " f; n++; w = 2 } }
		END { print "# hang-dump: " (n ? n " QEMU threads wait on a lock: " l : "no QEMU thread waits on a lock") }' "$log.gdb"
	rm -f "$log.gdb"
}

# guest_nmi: an NMI to each vCPU through QEMU's monitor; an x86 guest that
# takes it panics (unknown_nmi_panic) and prints its CPUs' stacks, which
# shows where a guest hangs with interrupts off and prints nothing.
guest_nmi() {
	[ -S "$msock" ] || return 0
	echo "# hang-dump: an NMI to the guest, for its CPUs' stacks"
	timeout 20 python3 - "$msock" <<'PY' || true
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"nmi\n")
time.sleep(1)
s.close()
PY
}

# wait_gone PID SECS: until PID is gone, at most SECS seconds
wait_gone() {
	for _ in $(seq "$2"); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 1
	done
}

# QEMU runs under a hang guard of its own rather than timeout(1): when the
# time is up it first has gdb show QEMU's threads (appended to the log),
# then ends QEMU, and KILLs it if it does not go (a deadlocked main loop
# would ignore SIGTERM).
pidf=$(mktemp) rcf=$(mktemp) msock=$(mktemp -u /tmp/dmae-mon.XXXXXX)
rm -f "$log.hang"
args+=(-monitor "unix:$msock,server=on,wait=off")
{
	rc=0
	"$qemu" "${args[@]}" -append "$append" -pidfile "$pidf" </dev/null 2>&1 ||
		rc=$?
	echo "$rc" >"$rcf"
} | stdbuf -oL tr -d '\r' | if [ "$verbose" = 1 ]; then tee "$log"; else cat >"$log"; fi &
run=$!
n=0 fired=0
while kill -0 "$run" 2>/dev/null; do
	if [ "$n" -ge "$timeout" ]; then
		fired=1
		qpid=$(cat "$pidf" 2>/dev/null || true)
		if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
			# (neither may end this script: QEMU must still go)
			hang_dump "$qpid" >"$log.hang" 2>&1 || true
			guest_nmi >>"$log.hang" 2>&1 || true
			# time for the guest's report (it powers off after it)
			wait_gone "$qpid" 30
			kill -TERM "$qpid" 2>/dev/null || true
			wait_gone "$qpid" 30
			kill -KILL "$qpid" 2>/dev/null || true
		fi
		break
	fi
	sleep 1
	n=$((n + 1))
done
wait "$run" || true
rc=$(cat "$rcf" 2>/dev/null || true)
rm -f "$pidf" "$rcf" "$msock"
if [ "$fired" = 1 ]; then
	rc=124
	if [ -s "$log.hang" ]; then
		cat "$log.hang" >>"$log"
		[ "$verbose" = 1 ] && cat "$log.hang"
	fi
	rm -f "$log.hang"
fi
exit "${rc:-1}"
