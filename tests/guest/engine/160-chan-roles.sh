#!/bin/sh
# Channel ownership (issue 12, item 3): dma_engine's chan_roles gives each
# channel to the copy service only (native), to dmaengine clients only
# (dmaengine), to both (shared, the default) or to nobody (unused). A
# dmaengine client never sees a service channel and the other way round;
# bad lists are refused whole.
. /tests/lib.sh
ensure_module

P=/sys/module/dma_engine/parameters/chan_roles

# misc_of DEV: the service device (/dev/dma_engineN) of PCI function DEV
misc_of() {
	for _m in /sys/class/misc/dma_engine*; do
		[ "$(readlink -f "$_m/device")" = "$(readlink -f "$1")" ] &&
			echo "/dev/$(basename "$_m")"
	done
}

# dma_chans DEV: its dmaengine channel names, one line
dma_chans() {
	echo $(ls "$1/dma" 2>/dev/null)
}

# submitted DEV: every channel's submitted count, one line
submitted() {
	echo $(awk '{ for (i = 2; i < NF; i++) if ($i == "submitted") print $(i + 1) }' "$1/chan_stats")
}

reload() {
	rmmod dma_engine && modprobe dma_engine "$@"
}

# fails CMD...: CMD fails (for the checks of bad input)
fails() {
	! "$@" 2>/dev/null
}

# roles_are DEV WANT: the channel and role columns of DEV's chan_roles
roles_are() {
	[ "$(awk '{ printf "%s %s ", $1, $2 }' "$1/chan_roles")" = "$2" ]
}

check "the default is every channel shared" expect_eq shared cat $P
check "the default gives 04.0's 4 channels to dmaengine" \
	expect_eq 4 sh -c "ls $DEV_MSIX/dma | wc -l"
check "chan_roles of 04.0 says shared for each, with its dmaengine name" \
	sh -c "grep -c '^ch[0-3] shared dma[0-9]*chan[0-3]\$' $DEV_MSIX/chan_roles | grep -qx 4"

check "a word that is no role is refused, at load" \
	fails reload chan_roles=native,bogus
check "a trailing comma is refused" \
	fails modprobe dma_engine chan_roles=native,
check "more roles than channels a device can have (16) are refused" \
	fails modprobe dma_engine "chan_roles=$(echo u u u u u u u u u u u u u u u u u | sed 's/u/unused/g; s/ /,/g')"
check "an empty entry is refused" \
	fails modprobe dma_engine chan_roles=native,,unused
check "the module loads again with no list" modprobe dma_engine

check "load with chan_roles=native,dmaengine,unused,dmaengine" \
	reload chan_roles=native,dmaengine,unused,dmaengine
check "the parameter reads back the list" \
	expect_eq native,dmaengine,unused,dmaengine cat $P
check "04.0's roles: ch0 native, ch1 and ch3 dmaengine, ch2 unused" \
	roles_are $DEV_MSIX "ch0 native ch1 dmaengine ch2 unused ch3 dmaengine "
chans=$(dma_chans $DEV_MSIX)
check "04.0 offers dmaengine only its two dmaengine channels ($chans)" \
	test "$(echo $chans | wc -w)" = 2
check "06.0's one channel is native: no dmaengine device for it" \
	test -z "$(dma_chans $DEV_MSI)"
D=$(misc_of $DEV_MSIX)
check "04.0 still has its service device ($D)" test -c "$D"
check "06.0 still has its service device" test -n "$(misc_of $DEV_MSI)"

# The service's copies go to ch0 only.
before=$(submitted $DEV_MSIX)
check "ring traffic on $D: 300 copies, each checked" traffic ring "$D" 300
check "uring traffic on $D: 100 copies, each checked" traffic uring "$D" 100
after=$(submitted $DEV_MSIX)
check "the service used ch0 and only ch0 ($before -> $after)" \
	sh -c "set -- $before $after; [ \$5 -gt \$1 ] && [ \$6 = \$2 ] && [ \$7 = \$3 ] && [ \$8 = \$4 ]"

# dmatest on the two dmaengine channels, with service traffic meanwhile:
# dmatest's terminate_all at the end of each thread touches only its own.
kmark roles-dmatest
insmod /lib/modules/$(uname -r)/extra/dmatest.ko timeout=10000 \
	test_buf_size=16384 iterations=100 threads_per_chan=2
for c in $chans; do
	echo "$c" >/sys/module/dmatest/parameters/channel
done
before=$(submitted $DEV_MSIX)
traffic fixed "$D" 400 >/tmp/roles-traffic.out 2>&1 &
tp=$!
echo 1 >/sys/module/dmatest/parameters/run
dmatest_wait
rmmod dmatest
wait $tp
rc=$?
check "registered-buffer traffic beside dmatest: every copy whole (exit $rc)" \
	sh -c "[ $rc = 0 ] || { cat /tmp/roles-traffic.out; false; }"
after=$(submitted $DEV_MSIX)
check "dmatest: 4 summaries, 0 failures" \
	expect_eq "4 4" sh -c "dmesg | sed -n '/dmae-mark roles-dmatest /,\$p' >/tmp/roles-dmesg; echo \$(grep -c 'summary .* 0 failures' /tmp/roles-dmesg) \$(grep -c 'summary ' /tmp/roles-dmesg)"
check "the unused channel ch2 did nothing ($before -> $after)" \
	sh -c "set -- $before $after; [ \$3 = \$7 ] && [ \$6 -gt \$2 ] && [ \$8 -gt \$4 ]"
check "pinned pages balanced" pins_balanced

# A role list changed at run time applies to a device bound afterwards;
# a bad write changes nothing.
check "a bad write to the parameter is refused" \
	sh -c "! echo native,nope 2>/dev/null >$P"
check "and leaves the list as it was" \
	expect_eq native,dmaengine,unused,dmaengine cat $P
check "write chan_roles=unused,dmaengine" sh -c "echo unused,dmaengine >$P"
drv=/sys/bus/pci/drivers/dma_engine
check "rebind 04.0" sh -c "echo 0000:00:04.0 >$drv/unbind && echo 0000:00:04.0 >$drv/bind"
check "04.0 now: ch0 unused, ch1 dmaengine, ch2 and ch3 shared" \
	roles_are $DEV_MSIX "ch0 unused ch1 dmaengine ch2 shared ch3 shared "
check "04.0 offers dmaengine three channels" \
	test "$(dma_chans $DEV_MSIX | wc -w)" = 3
D=$(misc_of $DEV_MSIX)
check "ring traffic on the two shared channels ($D)" traffic ring "$D" 200

# Nothing for anyone: no service device, no dmaengine channel, and the
# seed's copy_size still works.
check "load with every channel unused" \
	reload chan_roles=unused,unused,unused,unused
check "no service device for 04.0" test -z "$(misc_of $DEV_MSIX)"
check "no dmaengine channel for 04.0" test -z "$(dma_chans $DEV_MSIX)"
check "the seed's copy_size works" expect_eq OK wr "$DEV_MSIX/copy_size" 65536
# (to /dev/null: a sysfs file sendfile()d into a regular file gives lockdep
# a kernfs class chain that, with FILE_WRITE and an unbind in the same
# boot, it reports as a cycle; see docs/decisions.md, session 10)
check "ring_stats says there is no service" sh -c "! cat $DEV_MSIX/ring_stats >/dev/null 2>&1"

check "back to the default" reload
check "the parameter reads shared again" expect_eq shared cat $P
check "04.0 offers dmaengine its 4 channels again" \
	test "$(dma_chans $DEV_MSIX | wc -w)" = 4
