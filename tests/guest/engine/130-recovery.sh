#!/bin/sh
# A channel that stops making progress is reset, its jobs fail with
# ETIMEDOUT, and it works again. 06.0 moves 1 MB/s: a 100 ms watchdog
# fires in the middle of its first 200 KB job.
. /tests/lib.sh
ensure_module

p=/sys/module/dma_engine/parameters/timeout_ms
old=$(cat $p)
before=$(chan_stat "$DEV_MSI" 0 resets)
echo 100 >$p
r=$(wr "$DBG_MSI/chan_selftest" 200000)
echo "$old" >$p
check "a hung channel: its jobs fail with ETIMEDOUT ($r)" test "$r" = ETIMEDOUT
after=$(chan_stat "$DEV_MSI" 0 resets)
check "the channel was reset ($before -> $after)" test "$after" -gt "$before"
check "the reset channel works again" \
	expect_eq OK wr "$DBG_MSI/chan_selftest" 4096
check "dmesg names the reset" \
	sh -c "dmesg | grep -q '0000:00:06.0: ch0 made no progress in 100 ms'"
