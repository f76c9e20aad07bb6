#!/usr/bin/env bash
# QEMU's generic-fuzz (libFuzzer, ASan, UBSan) on the dma-engine device,
# with its transfers on the main loop (x-workers=off: generic-fuzz forks
# per input, and worker threads do not survive a fork), in two machines:
# plain q35, and q35 with an intel-iommu in front of the device.
#
#   fuzz-device.sh [RUNS]      RUNS inputs per machine (default 2000)
#   FUZZ_PARALLEL=1            both machines at once (one core each)
#   FUZZ_DIR=DIR               corpus and logs (default $BUILD/fuzz)
#   FUZZ_MIN_OPS=N             fail unless the machines executed N
#                              operations (generic-fuzz commands) in all
#
# Prints one result line per machine ("ok - fuzz[...]: ..." or "not ok"):
# no crash and no sanitizer report, with the inputs executed, the time and
# libFuzzer's coverage; and one line saying which of the model's DMA
# paths the inputs reached (from -print_coverage). A crashing input is kept
# in $BUILD/fuzz/crashes-MACHINE/ to become a regression test.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
runs=${1:-2000}
fuzz_dir=${FUZZ_DIR:-$BUILD/fuzz}
bin=$BUILD/qemu-fuzz/qemu-fuzz-x86_64
[ -x "$bin" ] || { echo "not ok - fuzz: $bin is missing (scripts/build-qemu-fuzz.sh)"; exit 1; }

# The functions that move data (as compiled: static helpers such as
# dmae_move_direct and dmae_load_sg are inlined into these); the fuzzer
# must reach every one.
dma_paths="dmae_dma dmae_map_ram dmae_side_io dmae_xfer_copy dmae_xfer_fill dmae_xfer_compare dmae_load_side dmae_chan_step dmae_seed_run dmae_inject_hit"
props="x-workers=off,x-fault-inject=on,buf-size=4096,max-sg=32,channels=2,ring-max=16"
# SeaBIOS and option ROMs, as linked for qemu-system-x86_64
fw="-L $BUILD/qemu-build/qemu-bundle/usr/local/share/qemu"
# 32 MiB of guest RAM (a later -m wins over generic-fuzz's 512M): the
# fork per input costs less, and the inputs' addresses wrap into it.
declare -A machines=(
	[q35]="$fw -machine q35 -nodefaults -m 32M -device dma-engine,$props"
	[q35-iommu]="$fw -machine q35 -nodefaults -m 32M -device intel-iommu,device-iotlb=on -device dma-engine,$props"
)

# fuzz_machine M: run generic-fuzz on machine M, print its result lines;
# exit status 1 if it failed.
fuzz_machine() {
	local m=$1 status=0 dir log start rc secs execs ops cov missed edges f
	dir=$fuzz_dir/$m
	mkdir -p "$dir/corpus" "$dir/crashes"
	# Seeds that reach each DMA path (the corpus grows from them).
	python3 "$top/scripts/fuzz-seeds.py" "$dir/corpus"
	log=$dir/run.log
	start=$(date +%s)
	QEMU_FUZZ_ARGS="${machines[$m]}" QEMU_FUZZ_OBJECTS='dma-engine*' \
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$bin" --fuzz-target=generic-fuzz -runs="$runs" -seed=$((start % 100000 + 1)) \
		-print_final_stats=1 -print_coverage=1 \
		-artifact_prefix="$dir/crashes/" "$dir/corpus" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	ops=$(sed -n 's/^generic-fuzz: \([0-9]*\) operations executed$/\1/p' "$log" | tail -n1)
	echo "${ops:-0}" >"$dir/ops"
	cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n1)
	if [ "$rc" = 0 ] && ! grep -qE 'ERROR: (Address|Undefined|Leak)Sanitizer|runtime error:|==ERROR' "$log"; then
		echo "ok - fuzz[$m]: generic-fuzz, ${execs:-?} inputs (${ops:-?} operations) in ${secs}s, no crash or sanitizer report ($cov)"
	else
		echo "not ok - fuzz[$m]: generic-fuzz failed after ${execs:-?} inputs (exit $rc); see $log, inputs in $dir/crashes/"
		grep -E 'ERROR|runtime error|Assertion|SUMMARY' "$log" | head -n 5 | sed 's/^/#   /'
		status=1
	fi
	missed=
	for f in $dma_paths; do
		grep -qE "COVERED_FUNC: .* edges: [1-9][0-9]*/[0-9]+ $f " "$log" ||
			missed="$missed $f"
	done
	# libFuzzer's edge counts over the model's files
	edges=$(grep -E 'COVERED_FUNC: .*/hw/dma-engine/' "$log" |
		sed -E 's/.* edges: ([0-9]+)\/([0-9]+) .*/\1 \2/' |
		awk '{ c += $1; t += $2 } END { printf "%d of %d edges", c, t }')
	if [ -z "$missed" ]; then
		echo "ok - fuzz[$m]: the inputs reached every DMA path ($(echo $dma_paths | wc -w) functions; model: $edges)"
	else
		echo "not ok - fuzz[$m]: DMA paths never reached:$missed"
		status=1
	fi
	return $status
}

status=0
if [ "${FUZZ_PARALLEL:-0}" = 1 ]; then
	mkdir -p "$fuzz_dir"
	for m in q35 q35-iommu; do
		fuzz_machine "$m" >"$fuzz_dir/$m.result" &
	done
	wait
	cat "$fuzz_dir"/q35.result "$fuzz_dir"/q35-iommu.result
	grep -q '^not ok' "$fuzz_dir"/*.result && status=1
else
	for m in q35 q35-iommu; do
		fuzz_machine "$m" || status=1
	done
fi
# FUZZ_MIN_OPS: the operations both machines must have executed in all
total=$(cat "$fuzz_dir"/q35/ops "$fuzz_dir"/q35-iommu/ops 2>/dev/null | awk '{ t += $1 } END { print t + 0 }')
if [ -n "${FUZZ_MIN_OPS:-}" ]; then
	if [ "$total" -ge "$FUZZ_MIN_OPS" ]; then
		echo "ok - fuzz: $total device operations in all (at least $FUZZ_MIN_OPS)"
	else
		echo "not ok - fuzz: only $total device operations in all, fewer than $FUZZ_MIN_OPS (raise FUZZ_RUNS)"
		status=1
	fi
fi
exit $status
