#!/bin/sh
# dmaectl on the real engines (issue 15, item 1): list, stats (with a
# context open), config, test; the --json forms carry the same figures.
# (tests/host/dmaectl-test.sh parses its JSON on a fake sysfs.)
. /tests/lib.sh
ensure_module

check "list exits 0" sh -c "dmaectl list >/tmp/ctl.out"
sed "s/^/# /" /tmp/ctl.out
check "list: /dev/dma_engine0 is native on 04.0 with MSI-X" \
	grep -q '^/dev/dma_engine0: native backend on 0000:00:04.0, MSI-X, IOMMU domain ' /tmp/ctl.out
check "list: 05.0 is INTx, 06.0 MSI" \
	sh -c "grep -q 'on 0000:00:05.0, INTx,' /tmp/ctl.out && grep -q 'on 0000:00:06.0, MSI,' /tmp/ctl.out"
if [ -e "$DEV_MSIX/iommu_group" ]; then
	dom=$(cat "$DEV_MSIX/iommu_group/type")
else
	dom=none
fi
check "list: the IOMMU domain of 04.0 is the kernel's ($dom)" \
	grep -q "on 0000:00:04.0, MSI-X, IOMMU domain $dom\$" /tmp/ctl.out
check "list: the limits come from the ring (bytes per entry)" \
	grep -q '^  limits: [1-9][0-9]* bytes per entry' /tmp/ctl.out
check "list: 04.0's four channels with their roles" \
	expect_eq 4 sh -c "sed -n '/on 0000:00:04.0/,/^\/dev/p' /tmp/ctl.out | grep -c '^  ch[0-3] shared dma[0-9]*chan[0-3]\$'"
check "list --json: one line, every device" \
	sh -c "dmaectl --json list >/tmp/ctl.json && [ \$(wc -l </tmp/ctl.json) = 1 ] &&
		[ \$(grep -o '\"device\": \"/dev/dma_engine[0-9]\"' /tmp/ctl.json | wc -l) = 3 ]"
check "list --json: 04.0's irq, domain and max_len" \
	sh -c "grep -q '\"engine\": \"0000:00:04.0\", \"irq\": \"MSI-X\", \"iommu_domain\": \"$dom\", \"max_len\": [1-9]' /tmp/ctl.json"

# stats with a context of ours open: its counters, then the engine's
# (traffic: 100 copies, then on until /tmp/ctl-ready is removed)
traffic ring /dev/dma_engine0 100 /tmp/ctl-ready >/tmp/ctl-traffic.out 2>&1 &
tp=$!
i=0
while [ ! -e /tmp/ctl-ready ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
check "stats lists the open context (traffic, pid $tp)" \
	sh -c "dmaectl stats | grep -q '^  ctx [0-9]* pid $tp comm traffic '"
check "stats --json: the context, its pid and counters as numbers" \
	sh -c "dmaectl --json stats | grep -q '\"ctx\": [0-9]*, \"pid\": $tp, \"comm\": \"traffic\", \"chan\": [0-9]*, \"spread\": 0, \"submitted\": [1-9]'"
check "stats --watch --count 2: two reports" \
	expect_eq 2 sh -c "dmaectl stats --watch --count 2 | grep -c '^-- [12] --\$'"
rm -f /tmp/ctl-ready
wait $tp
rc=$?
check "the traffic beside dmaectl: every copy whole (exit $rc)" test $rc = 0
before=$(dmaectl --json stats | sed 's/.*"device": "\/dev\/dma_engine0", "ring": {[^}]*"completed": \([0-9]*\).*/\1/')
traffic ring /dev/dma_engine0 50 >/dev/null
after=$(dmaectl --json stats | sed 's/.*"device": "\/dev\/dma_engine0", "ring": {[^}]*"completed": \([0-9]*\).*/\1/')
check "stats --json: the engine's completed count grew by the 50 copies ($before -> $after)" \
	test "$after" -ge $((before + 50))

check "config shows chan_roles and timeout_ms" \
	sh -c "dmaectl config | grep -q '^chan_roles  *shared ' && dmaectl config | grep -q '^timeout_ms  *5000 '"
check "config timeout_ms=6000 sets it" \
	sh -c "dmaectl config timeout_ms=6000 && [ \$(cat /sys/module/dma_engine/parameters/timeout_ms) = 6000 ]"
dmaectl config timeout_ms=5000
check "config chan_roles=bogus is refused (exit 1), nothing changed" \
	sh -c "! dmaectl config chan_roles=bogus 2>/dev/null && [ \$(cat /sys/module/dma_engine/parameters/chan_roles) = shared ]"
check "config of an unknown name: exit 2" sh -c "dmaectl config nope=1 2>/dev/null; [ \$? = 2 ]"

check "test: every channel's self-test and every device's copy pass" \
	sh -c "dmaectl test >/tmp/ctl-test.out && grep -q '^0 tests failed' /tmp/ctl-test.out &&
		[ \$(grep -c '^ok   chan_selftest' /tmp/ctl-test.out) = 3 ] &&
		[ \$(grep -c '^ok   ring_copy /dev/dma_engine' /tmp/ctl-test.out) = 3 ]"
check "test --json: 6 passes, 0 failed" \
	sh -c "dmaectl --json test | grep -q '\"failed\": 0}' && [ \$(dmaectl --json test | grep -o '\"pass\": true' | wc -l) = 6 ]"
check "pinned pages balanced" pins_balanced
