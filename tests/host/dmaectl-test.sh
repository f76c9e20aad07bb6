#!/usr/bin/env bash
# dmaectl on a fake sysfs tree (DMAECTL_SYSROOT), built with ASan and
# UBSan: every subcommand's output, --json parsed by Python's json module
# with the documented keys and values, awkward text (a quote in a process
# name) escaped, config writing the parameter file and refusing unknown
# names, the exit codes. The guest suite runs it on the real thing
# (tests/guest/engine/170-dmaectl.sh). TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$top/build}
out=$BUILD/host-tests/dmaectl
rm -rf "$out"
mkdir -p "$out"
rc=0
tap() { # RC DESC [DETAIL]
	if [ "$1" = 0 ]; then
		echo "ok - host: dmaectl: $2"
	else
		echo "not ok - host: dmaectl: $2"
		[ -n "${3:-}" ] && sed 's/^/#   /' <<<"$3" | head -n 30
		rc=1
	fi
}
err=$(cc -std=c11 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined \
	-fno-sanitize-recover=all -I"$top/liburing-ext/include" -I"$top/uapi" \
	-I"$top/demos/include" -o "$out/dmaectl" "$top/tools/dmaectl.c" \
	"$top/liburing-ext/src/ring.c" "$top/liburing-ext/src/setup.c" 2>&1)
tap $? "builds with ASan and UBSan" "$err"
[ -x "$out/dmaectl" ] || exit 1

r=$out/root
mk() { mkdir -p "$(dirname "$r$1")"; printf '%b' "$2" >"$r$1"; }
mk /sys/class/misc/dma_engine0/backend 'native 0000:00:04.0\n'
mk /sys/class/misc/dma_engine0/ring_stats 'contexts 1 submitted 10 completed 9 errors 1 bytes 4096 cpu_ops 2 max_overflow 0\n'
mk /sys/class/misc/dma_engine0/contexts 'ctx 3 pid 42 comm a"b\\c chan 0 spread 0 submitted 10 completed 9 errors 1 bytes 4096 cpu_ops 2 overflowed 0 inflight 1 kept 0\n'
mk /sys/class/misc/dma_engine0/cpu_break_even '16384\n'
mk /sys/class/misc/dmae_dma0/backend 'dmaengine dma0\n'
mk /sys/class/misc/dmae_dma0/cpu_break_even 'unmeasured\n'
mk /sys/class/misc/dmae_dma0/ring_stats 'contexts 0 submitted 0 completed 0 errors 0 bytes 0 cpu_ops 0 max_overflow 0\n'
mk /sys/class/misc/dmae_group0/backend 'dmaengine 0000:00:04.0\n'
mk /sys/class/misc/dmae_group0/ring_stats 'contexts 0 submitted 0 completed 0 errors 0 bytes 0 cpu_ops 0 max_overflow 0\n'
mk /sys/class/misc/null/backend 'not ours\n'
p=/sys/bus/pci/devices/0000:00:04.0
mk $p/chan_roles 'ch0 shared dma0chan0\nch1 native\nch2 dmaengine dma0chan1\nch3 unused\n'
mk $p/chan_stats 'ch0 submitted 5 completed 5 errors 0 bytes 100 resets 0 bad_records 0\nch1 submitted 5 completed 4 errors 1 bytes 3996 resets 1 bad_records 0\n'
mk $p/msi_irqs/24 'msix\n'	# as 6.1 has it: a file per vector
mk $p/iommu_group/type 'DMA\n'
mk /sys/kernel/debug/dma_engine/0000:00:04.0/chan_selftest ''
mk /sys/module/dma_engine/parameters/chan_roles 'shared\n'
mk /sys/module/dma_engine/parameters/timeout_ms '5000\n'
mk /sys/module/dmae_svc/parameters/dma_channels '\n'
export DMAECTL_SYSROOT=$r
ctl() { "$out/dmaectl" "$@"; }

o=$(ctl list 2>&1)
tap $? "list exits 0" "$o"
grep -q '^/dev/dma_engine0: native backend on 0000:00:04.0, MSI-X, IOMMU domain DMA$' <<<"$o"
tap $? "list names the native device, its engine, MSI-X and the IOMMU domain" "$o"
grep -q '^/dev/dmae_dma0: dmaengine backend on dma0$' <<<"$o"
tap $? "list names the dmaengine-backed device" "$o"
grep -q '^/dev/dmae_group0: dmaengine backend on 0000:00:04.0$' <<<"$o"
tap $? "list names a group of engines" "$o"
grep -q '^  ch1 native$' <<<"$o"
tap $? "list shows the channels' roles" "$o"
grep -q '^  CPU path break-even: 16384 bytes (cpu_threshold AUTO)$' <<<"$o"
tap $? "list shows the measured CPU-path break-even" "$o"
grep -q '^  CPU path break-even: not measured yet' <<<"$o"
tap $? "list says when the break-even is not measured yet" "$o"
! grep -q null <<<"$o"
tap $? "list leaves out misc devices that are not the service's" "$o"

o=$(ctl --json list)
py=$(python3 - "$o" <<'PY' 2>&1
import json, sys
d = json.loads(sys.argv[1])
devs = d["devices"]
assert [x["device"] for x in devs] == ["/dev/dma_engine0", "/dev/dmae_dma0",
                                      "/dev/dmae_group0"], devs
n = devs[0]
assert n["backend"] == "native" and n["engine"] == "0000:00:04.0"
assert n["irq"] == "MSI-X" and n["iommu_domain"] == "DMA"
assert "error" in n and "max_len" not in n   # no such /dev here
assert n["channels"] == [{"channel": 0, "role": "shared", "dmaengine": "dma0chan0"},
                         {"channel": 1, "role": "native"},
                         {"channel": 2, "role": "dmaengine", "dmaengine": "dma0chan1"},
                         {"channel": 3, "role": "unused"}], n["channels"]
assert devs[1]["backend"] == "dmaengine" and devs[1]["channels"] == []
assert n["cpu_break_even"] == 16384 and "cpu_break_even" not in devs[1]
PY
)
tap $? "list --json parses and has the documented keys and values" "$o
$py"

o=$(ctl stats --json)
py=$(python3 - "$o" <<'PY' 2>&1
import json, sys
d = json.loads(sys.argv[1])
e = d["devices"][0]
assert e["ring"]["submitted"] == 10 and e["ring"]["errors"] == 1, e["ring"]
assert e["channels"][1] == {"channel": 1, "submitted": 5, "completed": 4, "errors": 1,
                            "bytes": 3996, "resets": 1, "bad_records": 0}, e["channels"]
c = e["contexts"][0]
assert c["ctx"] == 3 and c["pid"] == 42 and c["comm"] == 'a"b\\c' and c["inflight"] == 1, c
PY
)
tap $? "stats --json: ring, channel and context counters as numbers, names escaped" "$o
$py"
o=$(ctl --json stats --watch --count 2)
lines=$(wc -l <<<"$o")
py=$(python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' <<<"$o" 2>&1)
[ $? = 0 ] && [ "$lines" = 2 ]
tap $? "stats --watch --count 2 --json: two objects, one per line" "$o
$py"
o=$(ctl stats)
grep -q '^  ctx 3 pid 42' <<<"$o"
tap $? "stats shows the contexts" "$o"

o=$(ctl config)
grep -qE '^chan_roles +shared ' <<<"$o" && grep -qE '^dma_channels +\(empty\)' <<<"$o"
tap $? "config shows the settings" "$o"
o=$(ctl config chan_roles=native,dmaengine 2>&1)
[ $? = 0 ] && [ "$(cat $r/sys/module/dma_engine/parameters/chan_roles)" = native,dmaengine ] &&
	grep -q 'applies to engines bound from now on' <<<"$o"
tap $? "config NAME=VALUE writes the parameter and says when it applies" "$o"
o=$(ctl config nosuch=1 2>&1)
[ $? = 2 ] && grep -q 'NAME of: chan_roles' <<<"$o"
tap $? "config with an unknown name: exit 2, the names listed" "$o"
o=$(ctl config ring_size=7 2>&1)
[ $? = 1 ]
tap $? "config of a setting that is not there: exit 1" "$o"

o=$(ctl nosuch 2>&1)
[ $? = 2 ] && grep -q "'nosuch' is not a command" <<<"$o"
tap $? "an unknown command: exit 2 and the usage" "$o"
o=$(ctl --help)
[ $? = 0 ] && grep -q '^usage: dmaectl' <<<"$o"
tap $? "--help: usage on stdout, exit 0"
o=$(ctl list --json)
python3 -c 'import json,sys; json.load(sys.stdin)' <<<"$o" 2>/dev/null
tap $? "options may follow the command (list --json)"
o=$(DMAECTL_SYSROOT=$out/empty ctl list 2>&1)
[ $? = 1 ] && grep -q 'is the module loaded' <<<"$o"
tap $? "no service device: exit 1, says to load the module" "$o"
o=$(ctl --json test)
[ $? = 1 ]
tap $? "test with devices that cannot copy: exit 1" "$o"
py=$(python3 - "$o" <<'PY' 2>&1
import json, sys
d = json.loads(sys.argv[1])
t = {(x["test"], x["target"]): x for x in d["tests"]}
assert t[("chan_selftest", "0000:00:04.0")]["pass"] is True
assert t[("ring_copy", "/dev/dma_engine0")]["pass"] is False and t[("ring_copy", "/dev/dma_engine0")]["error"]
assert d["failed"] == 3, d   # the ring copy of each of the three service devices
PY
)
tap $? "test --json: one result per test, the failures counted" "$o
$py"
exit $rc
