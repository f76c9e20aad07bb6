#!/bin/sh
# Device faults injected through the model (04.0 runs with
# x-fault-inject=on): a failed descriptor, a stalled channel, a lost
# interrupt and a corrupt completion record. The driver survives each:
# every copy of a burst completes exactly once, with its data or with an
# error (inject-test counts them), nothing is reported done that is not,
# and the engine works afterwards.
. /tests/lib.sh
ensure_module

D=$DEV_MSIX H=$DBG_MSIX
dev=/dev/dma_engine0
if [ ! -e "$H/inject_fail" ]; then
	skip "fault injection" "04.0 has no injection block (x-fault-inject=off)"
	exit 0
fi
check "05.0 offers no fault injection (the files are absent)" \
	test ! -e "$DBG_INTX/inject_fail"

# The watchdog keeps its default timeout: a shorter one could fire on a
# busy host, and what it does does not depend on when it fires.
bad_msgs() { dmesg | grep -c '0000:00:04.0: ch[0-3]: bad completion record'; }

sum_stat() { # FIELD: over 04.0's channels
	_s=0
	for _c in 0 1 2 3; do
		_s=$((_s + $(chan_stat "$D" $_c "$1")))
	done
	echo $_s
}

fired() { # KIND: how often it fired
	awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' \
		"$H/inject_fired"
}

# inject-test output, one field
field() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' /tmp/inj.out; }

# run_burst COPIES: inject-test on the ring; its own checks must pass
run_burst() {
	inject-test $dev "$1" 65536 >/tmp/inj.out 2>/tmp/inj.err
	_rc=$?
	cat /tmp/inj.out /tmp/inj.err
	return $_rc
}

# FAIL: the 5th descriptor fails; that copy alone gets EIO.
f0=$(fired fail)
echo 5 >"$H/inject_fail"
check "armed FAIL reads back its countdown" expect_eq 5 cat "$H/inject_fail"
check "FAIL: a burst of 16 completes, each once, data checked" run_burst 16
check "FAIL: exactly one copy failed, with EIO ($(cat /tmp/inj.out))" \
	sh -c '[ "$(awk "{print \$2, \$4}" /tmp/inj.out)" = "15 1" ]'
check "FAIL: it fired once" expect_eq $((f0 + 1)) fired fail

# CORRUPT: a record with a wrong cookie is not believed: EIO, counted.
b0=$(sum_stat bad_records)
m0=$(bad_msgs)
echo 3 >"$H/inject_corrupt"
check "CORRUPT: a burst of 16 completes, each once, data checked" run_burst 16
check "CORRUPT: the copy of the bad record failed with EIO ($(cat /tmp/inj.out))" \
	sh -c '[ "$(awk "{print \$2, \$4}" /tmp/inj.out)" = "15 1" ]'
check "CORRUPT: counted in chan_stats bad_records" \
	expect_eq $((b0 + 1)) sum_stat bad_records
check "CORRUPT: dmesg names the bad record" test "$(bad_msgs)" -gt "$m0"

# DROP_IRQ: a lost interrupt loses nothing; the watchdog reaps the copy.
d0=$(fired drop_irq)
echo 1 >"$H/inject_drop_irq"
check "DROP_IRQ: a lone copy whose interrupt is lost still completes" \
	run_burst 1
check "DROP_IRQ: ... with its data ($(cat /tmp/inj.out))" \
	expect_eq 1 field ok
echo 3 >"$H/inject_drop_irq"
check "DROP_IRQ: a burst of 16 with a lost interrupt completes" run_burst 16
check "DROP_IRQ: ... every copy with its data ($(cat /tmp/inj.out))" \
	expect_eq 16 field ok
check "DROP_IRQ: both fired" expect_eq $((d0 + 2)) fired drop_irq

# STALL: the channel hangs on its 4th descriptor; the watchdog resets it,
# what it held fails with ETIMEDOUT, the rest completes.
r0=$(sum_stat resets)
echo 4 >"$H/inject_stall"
check "STALL: a burst of 16 completes, each once, data checked" run_burst 16
ok=$(field ok)
to=$(field etimedout)
check "STALL: copies before the stall succeed, the rest time out ($ok ok, $to ETIMEDOUT)" \
	sh -c "[ $((ok + to)) = 16 ] && [ $ok -ge 3 ] && [ $to -ge 1 ]"
check "STALL: the channel was reset" \
	sh -c "[ $(sum_stat resets) -gt $r0 ]"

check "afterwards the engine copies again (ring)" run_burst 8
check "afterwards ... 8 of 8 with their data" expect_eq 8 field ok
check "afterwards the channel selftest passes" \
	expect_eq OK wr "$H/chan_selftest" 65536
check "nothing stays pinned" pins_balanced
