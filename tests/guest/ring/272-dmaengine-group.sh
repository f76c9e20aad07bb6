#!/bin/sh
# Several engines as one service device (issue 12): a dma_channels item
# of names joined by "+" is a group, /dev/dmae_group0, here over two
# channels of 04.0 and both of 05.0 (two PCI functions: with the IOMMU on,
# two IOMMU domains, so every request is mapped for the engine of the
# channel it goes to, and registered buffers for both). A spread context
# reaches both engines; the ring, URING_CMD, link and file programs and a
# uapi-fuzz slice run on the group; unbinding one member under traffic
# takes the group away with nothing left pinned.
. /tests/lib.sh
ensure_module

P=/sys/module/dmae_svc/parameters/dma_channels
held() { cat /sys/module/dmae_svc/parameters/file_pages_held; }
c1=$(ls "$DEV_MSIX/dma" | head -n 1)
c2=$(ls "$DEV_INTX/dma" | head -n 1)
e1=${c1%chan*}
e2=${c2%chan*}
D=/dev/dmae_group0
check "04.0's channels are $e1, 05.0's $e2" \
	sh -c "[ -n '$e1' ] && [ -n '$e2' ] && [ '$e1' != '$e2' ]"

# submitted: the jobs 04.0's channels 2-3 and 05.0's 0-1 were given
sub() {
	case $1 in
	1) echo $(($(chan_stat "$DEV_MSIX" 2 submitted) + $(chan_stat "$DEV_MSIX" 3 submitted))) ;;
	2) echo $(($(chan_stat "$DEV_INTX" 0 submitted) + $(chan_stat "$DEV_INTX" 1 submitted))) ;;
	esac
}
# both_engines CMD...: CMD succeeds and both engines took jobs meanwhile
both_engines() {
	_b1=$(sub 1)
	_b2=$(sub 2)
	"$@" || return 1
	_a1=$(sub 1)
	_a2=$(sub 2)
	echo "jobs: 04.0 $_b1 -> $_a1, 05.0 $_b2 -> $_a2"
	[ "$_a1" -gt "$_b1" ] && [ "$_a2" -gt "$_b2" ]
}

check "a group with a word that names no channel is refused (EINVAL), nothing taken" \
	sh -c "! echo ${e1}chan2+bogus >$P 2>/dev/null && [ -z \"\$(cat $P)\" ] && [ ! -e $D ] && [ \$(cat /sys/class/dma/${e1}chan2/in_use) = 0 ]"
check "a group with a name that matches nothing is refused (ENODEV), nothing taken" \
	sh -c "! echo ${e1}chan2+${e2}chan99 >$P 2>/dev/null && [ ! -e $D ] && [ \$(cat /sys/class/dma/${e1}chan2/in_use) = 0 ]"
check "take ${e1}chan2+${e1}chan3+${e2} as one group" \
	sh -c "echo ${e1}chan2+${e1}chan3+${e2} >$P"
check "$D exists, mode 0600" \
	expect_eq "crw-------" sh -c "ls -l $D | cut -c1-10"
check "no per-engine device beside it" \
	sh -c "[ ! -e /dev/dmae_$e1 ] && [ ! -e /dev/dmae_$e2 ]"
check "its backend is dmaengine, shown on its first engine" \
	expect_eq "dmaengine 0000:00:04.0" cat /sys/class/misc/dmae_group0/backend
check "the group's four channels are the service's" \
	expect_eq "1 1 1 1" sh -c "echo \$(cat /sys/class/dma/${e1}chan2/in_use /sys/class/dma/${e1}chan3/in_use /sys/class/dma/${e2}chan0/in_use /sys/class/dma/${e2}chan1/in_use)"

check "a spread context's plain copies reach both engines" \
	both_engines link-test --spread 48 "$D"
check "a spread context's registered-buffer copies and chains reach both engines, all whole" \
	both_engines link-test --spread-fixed 48 "$D"
check "pinned pages balanced after the spread copies" pins_balanced

for t in $RING_PROGS; do
	prog $t "$D"
	check "pinned pages balanced after $t on $D" pins_balanced
done
prog uring-test "$D"
prog link-test "$D"
check "pinned pages balanced after uring-test and link-test on $D" pins_balanced

mkdir -p /mnt/tmpfs
mount -t tmpfs -o size=256m tmpfs /mnt/tmpfs
prog file-test "$D" /mnt/tmpfs tmpfs-group
check "no page-cache page held after file-test on $D" expect_eq 0 held

seed=${DMAE_FUZZ_SEED:-$(date +%s)}
check "uapi-fuzz: 4000 operations on $D (seed $seed)" \
	sh -c "uapi-fuzz -n 4000 -s $seed $D >/tmp/group-fuzz.out 2>&1 || { tail -n 40 /tmp/group-fuzz.out; exit 1; }"
check "pinned pages balanced after uapi-fuzz on $D" pins_balanced
check "no page-cache page held after uapi-fuzz on $D" expect_eq 0 held

# Unbind the group's second engine under traffic: the whole group goes
# (what is in flight completes, then ENODEV); nothing stays pinned.
ring-stress 30 "$D" >/tmp/group-unbind 2>&1 &
p=$!
link-test --spread-fixed 100000 "$D" >/dev/null 2>&1 &
q=$!
sleep 1
lifecycle-test unbind "$D" 0000:00:05.0 | sed 's/^\(\(not \)\{0,1\}ok - \)/\1group: /'
wait "$p"
check "the stress saw the group go (non-zero exit)" test $? -ne 0
wait "$q"
check "the registered-buffer copies saw the group go (non-zero exit)" test $? -ne 0
check "unbind of a member: pinned pages balanced" pins_balanced
check "unbind of a member: no page-cache page held" expect_eq 0 held
check "$D is gone" test ! -e "$D"
check "04.0's channels of the group are free again" \
	expect_eq "0 0" sh -c "echo \$(cat /sys/class/dma/${e1}chan2/in_use /sys/class/dma/${e1}chan3/in_use)"
check "the parameter can be emptied" sh -c "echo >$P"
check "05.0 binds again" \
	sh -c "echo 0000:00:05.0 >/sys/bus/pci/drivers/dma_engine/bind"
check "05.0's native device works again" \
	sh -c "ring-stress 0 /dev/dma_engine1 >/dev/null"
check "all+ takes every free memcpy channel into one group" \
	sh -c "echo all+ >$P && [ -e $D ] && [ ! -e /dev/dmae_$e1 ] && one-copy $D 65536 0 7 && echo >$P && [ ! -e $D ]"
umount /mnt/tmpfs
