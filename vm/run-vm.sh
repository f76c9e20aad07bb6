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
append="panic=-1 oops=panic mitigations=off cryptomgr.notests rdinit=/init"
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
args=(-smp 2 -m 1G -nodefaults -display none -no-reboot
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
	args+=(-device intel-iommu,intremap=on)
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
rc=0
if [ "$verbose" = 1 ]; then
	timeout "$timeout" "$qemu" "${args[@]}" -append "$append" </dev/null 2>&1 |
		stdbuf -oL tr -d '\r' | tee "$log" || rc=${PIPESTATUS[0]}
else
	timeout "$timeout" "$qemu" "${args[@]}" -append "$append" </dev/null 2>&1 |
		stdbuf -oL tr -d '\r' >"$log" || rc=${PIPESTATUS[0]}
fi
exit "$rc"
