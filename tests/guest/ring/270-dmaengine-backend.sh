#!/bin/sh
# The copy service over dmaengine: dmae_svc's dmaengine backend on two of
# 04.0's dmaengine channels (the stand-in here for I/OAT, DSA or PTDMA).
# The ring, URING_CMD and file-operation programs run on /dev/dmae_dmaN
# as they do on /dev/dma_engineN (what the backend cannot do is refused
# with EOPNOTSUPP, and the programs check that); dmatest runs on another
# channel of the same engine meanwhile; the channels are the service's
# alone, and 04.0 can be unbound under the service's traffic.
. /tests/lib.sh
ensure_module

P=/sys/module/dmae_svc/parameters/dma_channels
held() { cat /sys/module/dmae_svc/parameters/file_pages_held; }
first=$(ls "$DEV_MSIX/dma" | head -n 1)
eng=${first%chan*}
D=/dev/dmae_$eng
check "04.0's dmaengine channels are $eng (${first})" test -n "$eng"

check "a channel name that matches nothing is refused (ENODEV), nothing taken" \
	sh -c "! echo ${eng}chan99 >$P 2>/dev/null && [ -z \"\$(cat $P)\" ] && [ ! -e $D ]"
check "a word that names no channel is refused (EINVAL)" \
	sh -c "! echo bogus >$P 2>/dev/null && [ ! -e $D ]"
check "take ${eng}chan2 and ${eng}chan3 for the service" \
	sh -c "echo ${eng}chan2,${eng}chan3 >$P"
check "$D exists, mode 0600" \
	expect_eq "crw-------" sh -c "ls -l $D | cut -c1-10"
check "its backend is dmaengine on 04.0" \
	expect_eq "dmaengine 0000:00:04.0" cat /sys/class/misc/dmae_$eng/backend
check "the parameter reads back what was taken" \
	expect_eq "${eng}chan2,${eng}chan3" cat $P
check "the channels are the service's: in_use on both" \
	expect_eq "1 1" sh -c "echo \$(cat /sys/class/dma/${eng}chan2/in_use /sys/class/dma/${eng}chan3/in_use)"
check "rmmod dma_engine is refused while the service holds its channels" \
	sh -c "! rmmod dma_engine 2>/dev/null"

for t in $RING_PROGS; do
	prog $t "$D"
	check "pinned pages balanced after $t on $D" pins_balanced
done
prog uring-test "$D"
check "pinned pages balanced after uring-test on $D" pins_balanced

prog link-test "$D"
check "pinned pages balanced after link-test on $D" pins_balanced

mkdir -p /mnt/tmpfs
mount -t tmpfs -o size=256m tmpfs /mnt/tmpfs
prog file-test "$D" /mnt/tmpfs tmpfs-dmaengine
check "no page-cache page held after file-test on $D" expect_eq 0 held

# the uapi fuzzer, a slice, on the dmaengine-backed device
seed=${DMAE_FUZZ_SEED:-$(date +%s)}
check "uapi-fuzz: 5000 operations on $D (seed $seed)" \
	sh -c "uapi-fuzz -n 5000 -s $seed $D >/tmp/dmabe-fuzz.out 2>&1 || { tail -n 40 /tmp/dmabe-fuzz.out; exit 1; }"
check "pinned pages balanced after uapi-fuzz on $D" pins_balanced
check "no page-cache page held after uapi-fuzz on $D" expect_eq 0 held

# SQ polling needs no polling of the engine: it works here too.
prog sqpoll-test "$D" copies 100 65536
prog sqpoll-test "$D" stall
check "URING_CMD on an IOPOLL io_uring is refused on the dmaengine backend (EOPNOTSUPP)" \
	sh -c "uring-poll-test $D 1 4096 >/dev/null; [ \$? = 3 ]"
check "IOPOLL is refused on the dmaengine backend (EOPNOTSUPP, no feature bit)" \
	sh -c "poll-test $D 0 0 | grep -q 'feature not set'; [ \$? = 0 ] && poll-test $D 0 0 >/dev/null; [ \$? = 3 ]"

# The older suites' programs on the dmaengine backend too (issue 12):
# version 1 of the uapi beside version 2, the close race, kill -9 and an
# io_uring torn down with commands in flight (and, on the debug kernel,
# allocation failures injected into every call: ring/980).
dmabe() { sed 's/^\(\(not \)\{0,1\}ok - \)/\1dmaengine backend: /'; }
uapi-compat-test "$D" | dmabe
check "pinned pages balanced after uapi-compat-test on $D" pins_balanced
lifecycle-test close-race "$D" 100 | dmabe
ring-stress 30 "$D" >/dev/null 2>&1 &
p=$!
sleep 1
kill -9 "$p"
wait "$p" 2>/dev/null
check "kill -9 with copies in flight on $D: pinned pages balanced" pins_balanced
check "io_uring torn down with 64 MiB of commands in flight on $D" \
	uring-test --exit-inflight "$D"
sleep 1
check "pinned pages balanced after the teardown" pins_balanced
# (fail-nth on this backend: ring/980, last, as it ends DMA-API debugging)
check "no page-cache page held after the older suites' programs" expect_eq 0 held
check "the service works after all of that" \
	sh -c "ring-stress 0 $D >/dev/null"

# dmatest on chan0 and chan1 while 3 processes drive the service's two
kmark dmabe-dmatest
pids=
for i in 1 2 3; do
	ring-stress 3 "$D" >/tmp/dmabe-stress.$i 2>&1 &
	pids="$pids $!"
done
insmod /lib/modules/$(uname -r)/extra/dmatest.ko timeout=10000 \
	threads_per_chan=2 iterations=50 test_buf_size=65536
echo ${eng}chan0 >/sys/module/dmatest/parameters/channel
echo ${eng}chan1 >/sys/module/dmatest/parameters/channel
echo 1 >/sys/module/dmatest/parameters/run
dmatest_wait
rmmod dmatest
all_ok() {
	for p in $pids; do
		wait "$p" || return 1
	done
}
check "3 processes on $D with dmatest on its engine's other channels: every copy checked" all_ok
check "dmatest beside the service: 4 summaries, 0 failures" \
	expect_eq 4 sh -c ". /tests/lib.sh; dmesg_since dmabe-dmatest | grep -c 'summary .* 0 failures'"
check "pinned pages balanced after the mixed load" pins_balanced

# Unbind 04.0 under the service's traffic: registered buffers and a
# URING_CMD file (lifecycle-test unbind does the unbind), plain-buffer
# copies and file reads and copies beside them. The service hears of it
# before the provider goes: what is in flight completes, then every call
# fails with ENODEV; nothing stays pinned or held.
ring-stress 30 "$D" >/tmp/dmabe-unbind 2>&1 &
p=$!
file-test --flood "$D" /mnt/tmpfs/data >/dev/null 2>&1 &
q=$!
sleep 1
lifecycle-test unbind "$D" 0000:00:04.0 | sed 's/^\(\(not \)\{0,1\}ok - \)/\1dmaengine backend: /'
wait "$p"
check "the stress saw the engine go (non-zero exit)" test $? -ne 0
wait "$q"
check "the file flood saw the engine go (non-zero exit)" test $? -ne 0
check "unbind under the service: pinned pages balanced" pins_balanced
check "unbind under the service: no page-cache page held" expect_eq 0 held
check "the channels go back (the parameter emptied)" sh -c "echo >$P"
check "$D is gone" test ! -e "$D"
check "04.0 binds again" \
	sh -c "echo 0000:00:04.0 >/sys/bus/pci/drivers/dma_engine/bind"
check "the native device works again" \
	sh -c "ring-stress 0 /dev/dma_engine0 >/dev/null"
umount /mnt/tmpfs
