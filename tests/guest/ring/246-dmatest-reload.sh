#!/bin/sh
# ring/245's "rmmod refused while dmatest holds channels" step, again and
# again in one boot: load the driver, dmatest on 04.0's four channels (2
# threads each, 20 copies of 16 KiB), an unload that must be refused,
# wait for dmatest, unload both. Each unload with no file open ends with
# the service's interrupting NOPs (dmae_udev_arm_all()), whose completion
# once freed the service device between its last count and its wake-up:
# the guest then spun with interrupts off and froze without a word (CI of
# stop 21; docs/decisions.md, session 12). The race needs a vCPU delayed
# at the wrong instruction, so it is rare: DMAE_ROUNDS rounds (30 here,
# 10 on the debug kernel;
# the hang came after 23 with the host loaded, and a longer hunt is
# tests/guest-suite.sh on ring/246-dmatest-reload with
# GUEST_APPEND=dmae.rounds=1500).
. /tests/lib.sh
ko=/lib/modules/$(uname -r)/extra/dmatest.ko
rounds=${DMAE_ROUNDS:-30}
# the debug kernel takes about 6 s a round
case "$(uname -r)" in *debug*) rounds=${DMAE_ROUNDS:-10} ;; esac
bad=0
i=0
while [ $i -lt "$rounds" ]; do
	i=$((i + 1))
	kmark "reload-round-$i"
	echo "# round $i"
	modprobe dma_engine || { bad=$((bad + 1)); break; }
	insmod $ko threads_per_chan=2 test_buf_size=16384 iterations=20 timeout=60000 ||
		{ bad=$((bad + 1)); break; }
	for c in /sys/class/dma/dma*chan*; do
		[ "$(basename "$(readlink -f "$c/device")")" = 0000:00:04.0 ] &&
			basename "$c" >/sys/module/dmatest/parameters/channel
	done
	echo 1 >/sys/module/dmatest/parameters/run
	if rmmod dma_engine 2>/dev/null; then
		echo "round $i: rmmod dma_engine was not refused"
		bad=$((bad + 1))
		break
	fi
	dmatest_wait
	n=$(dmesg_since "reload-round-$i" | grep -c 'summary .* 0 failures')
	[ "$n" = 8 ] || { echo "round $i: $n of 8 dmatest threads clean"; bad=$((bad + 1)); }
	rmmod dmatest && rmmod dma_engine || { bad=$((bad + 1)); break; }
done
check "$i rounds of dmatest, refused unload, unload and reload (of $rounds)" \
	test "$bad" = 0 -a "$i" = "$rounds"
modprobe dma_engine
