#!/bin/sh
# Every kind of consumer on one engine at once (04.0: MSI-X, 4 channels):
# Linux's dmatest (interrupt mode, then polled, several threads per
# channel), shared-ring users on plain and registered buffers, URING_CMD
# users, and seed copies through copy_size, each checking its own data.
# Then the engine is unbound under all of them (dmatest holding its
# channels across the unbind), bound again, and unloaded right after each
# kind of traffic stops; an unload while a kind runs that holds the
# module is refused. Everything is bounded by counts of operations; the
# waits are hang guards only. (fail-nth runs last, ring/980: DMA-API
# debugging turns itself off for good when an injected failure hits one
# of its own allocations, and this file relies on it on the debug kernel.)
. /tests/lib.sh
ensure_module

# timed DESC CMD...: check, then how long it took, as a TAP comment
timed() {
	_t0=$(cut -d. -f1 /proc/uptime)
	check "$@"
	echo "# took $(($(cut -d. -f1 /proc/uptime) - _t0)) s"
}

bdf=0000:00:04.0
dev=$DEV_MSIX
drv=/sys/bus/pci/drivers/dma_engine
ko=/lib/modules/$(uname -r)/extra/dmatest.ko
T=/tmp/consumers
mkdir -p $T

node() {
	echo /dev/$(ls $dev/misc/)
}

# The dmaengine channels of 04.0
msix_chans() {
	for c in /sys/class/dma/dma*chan*; do
		[ "$(basename "$(readlink -f "$c/device")")" = $bdf ] &&
			basename "$c"
	done
}

# wait_for FILE: until it exists (hang guard: 5 minutes)
wait_for() {
	_n=0
	while [ ! -e "$1" ]; do
		_n=$((_n + 1))
		[ $_n -le 1200 ] || { echo "gave up waiting for $1"; return 1; }
		sleep 0.25
	done
}

# mark NAME: a line in the kernel log; since_mark NAME: the log after it
mark() {
	echo "consumers: $1" >/dev/kmsg
}
since_mark() {
	dmesg | sed -n "/consumers: $1\$/,\$p"
}

# dmatest_start PARAMS...: dmatest on 04.0's channels, started
dmatest_start() {
	insmod $ko "$@" || return 1
	for c in $(msix_chans); do
		echo "$c" >/sys/module/dmatest/parameters/channel || return 1
	done
	echo 1 >/sys/module/dmatest/parameters/run
}

# dmatest_check MARK THREADS: one summary per thread, all 0 failures
dmatest_check() {
	_want=$(($(msix_chans | wc -l) * $2))
	_log=$(since_mark "$1" | grep 'dmatest: dma.*chan')
	_good=$(echo "$_log" | grep -c 'summary .* 0 failures')
	_all=$(echo "$_log" | grep -c 'summary ')
	[ "$_good" = "$_want" ] && [ "$_all" = "$_want" ] ||
		{ echo "$_good of $_want summaries with 0 failures ($_all in all)"; echo "$_log" | grep -v -e Added -e Started | head -n 20; return 1; }
}

# seed_copies N: N checked copies through copy_size, of varying sizes
seed_copies() {
	_i=0
	while [ $_i -lt "$1" ]; do
		_r=$(wr $dev/copy_size $((_i * 7919 % 131072 + 1)))
		[ "$_r" = OK ] || { echo "seed copy $_i: $_r"; return 1; }
		_i=$((_i + 1))
	done
	echo "seed: $1 copies checked"
}

# seed_until_gone READY: checked copies until copy_size goes away with
# the driver (READY is created after the first); the first failure must
# be that (ENOENT, or ENODEV for a file opened just before), never a
# wrong copy or another error
seed_until_gone() {
	_i=0
	while :; do
		_r=$(wr $dev/copy_size $((_i * 7919 % 131072 + 1)))
		[ "$_r" = OK ] || break
		_i=$((_i + 1))
		[ $_i = 1 ] && touch "$1"
	done
	echo "seed: $_i copies checked, then $_r"
	[ $_i -gt 0 ] && { [ "$_r" = ENOENT ] || [ "$_r" = ENODEV ]; }
}

# rmmod_refused: rmmod of dma_engine fails because the module is in use
# (EWOULDBLOCK from delete_module), and the module stays
rmmod_refused() {
	_out=$(rmmod dma_engine 2>&1) && { echo "rmmod succeeded"; return 1; }
	echo "$_out"
	echo "refcnt $(cat /sys/module/dma_engine/refcnt)"
	echo "$_out" | grep -q 'Resource temporarily unavailable' &&
		[ -d /sys/module/dma_engine ]
}

# With DMA-API debugging (the debug kernel): the unbind notice reports
# the mappings that dmatest, which maps its buffers for the engine as a
# dmaengine client does, has at that moment, as if they were the driver's
# own. Filtered to errors while our driver is bound; instead, once the
# client has let go, nothing of 04.0 may be left mapped.
dmadbg=/sys/kernel/debug/dma-api
dma_filter() {
	[ -e $dmadbg/driver_filter ] || return 0
	echo "$1" >$dmadbg/driver_filter
}
nothing_mapped() {
	[ -e $dmadbg/dump ] || return 0
	# it turns itself off for good when an allocation of its own fails
	[ "$(cat $dmadbg/disabled)" = N ] || { echo "DMA-API debugging is off"; return 0; }
	! grep "^$bdf " $dmadbg/dump
}

# settle: dmatest unloaded, the module loaded, 04.0 bound (after a
# failed check, so that the next ones run on a working engine);
# no_dmatest: the first part only
settle() {
	no_dmatest
	ensure_module
	[ -e $dev/driver ] || echo $bdf >$drv/bind
}
no_dmatest() {
	if [ -d /sys/module/dmatest ]; then
		echo 0 >/sys/module/dmatest/parameters/run
		rmmod dmatest
	fi
	dma_filter ""
}

# stat_sum FIELD: a chan_stats counter summed over 04.0's channels
stat_sum() {
	awk -v f="$1" '{ for (i = 2; i < NF; i++) if ($i == f) s += $(i + 1) }
		END { print s + 0 }' $dev/chan_stats
}

# --- 1. all consumers at once, bounded by counts ---------------------

# all_at_once MARK THREADS DMATEST_PARAMS...: the ring, registered-buffer
# and URING_CMD users run (at least 100 copies each) from before dmatest
# and the seed copies start until after they end
all_at_once() {
	_m=$1 _threads=$2
	shift 2
	_err=$(stat_sum errors) _resets=$(stat_sum resets)
	rm -f $T/*
	mark "$_m"
	_n=$(node)
	_pids=
	for k in ring fixed uring; do
		traffic $k "$_n" 100 $T/$k.ready >$T/$k 2>&1 &
		_pids="$_pids $!"
	done
	_rc=0
	for k in ring fixed uring; do
		wait_for $T/$k.ready || _rc=1
	done
	dmatest_start timeout=60000 threads_per_chan="$_threads" "$@" ||
		_rc=1
	seed_copies 40 >$T/seed 2>&1 &
	_ps=$!
	# while they run, the module is held: an unload is refused
	rmmod_refused >$T/rmmod 2>&1 || { echo "rmmod while all ran:"; cat $T/rmmod; _rc=1; }
	dmatest_wait
	wait $_ps || _rc=1
	rm -f $T/*.ready
	for _p in $_pids; do
		wait $_p || _rc=1
	done
	cat $T/ring $T/fixed $T/uring $T/seed
	rmmod dmatest || _rc=1
	dmatest_check "$_m" "$_threads" || _rc=1
	[ "$(stat_sum errors)" = "$_err" ] && [ "$(stat_sum resets)" = "$_resets" ] ||
		{ echo "channel errors $_err -> $(stat_sum errors), resets $_resets -> $(stat_sum resets)"; _rc=1; }
	return $_rc
}

timed "all at once: dmatest (2 threads per channel, 16 KiB, 40 each), ring, registered-buffer and URING_CMD users (100 copies each) and 40 seed copies: all whole" \
	all_at_once irq 2 test_buf_size=16384 iterations=40
settle
check "pinned pages balanced after them" pins_balanced
timed "all at once: dmatest polled (4 threads per channel, 16 KiB, 10 each) and the same users: all whole" \
	all_at_once polled 4 polled=1 test_buf_size=16384 iterations=10
settle
check "pinned pages balanced after them" pins_balanced

# --- 2. unbind under every kind of traffic ----------------------------

# chans_went_quietly MARK: since MARK, no channel of 04.0 halted, hung or
# was reset (the unbind stops them; nothing may ring a stopped channel)
chans_went_quietly() {
	! since_mark "$1" | grep -E "$bdf: ch[0-9]+ (halted|made no progress|does not stop)"
}

# unbind_under_all: dmatest holds the channels across the unbind; the
# ring, registered-buffer and URING_CMD users run until the engine goes;
# seed copies until copy_size goes.
unbind_under_all() {
	rm -f $T/*
	mark unbind
	dmatest_start timeout=60000 threads_per_chan=2 test_buf_size=16384 \
		iterations=100000 || return 1
	_n=$(node)
	# dmatest's threads: CHAN-copyN
	_threads=$(for c in $(msix_chans); do echo $c-copy0 $c-copy1; done)
	for k in ring fixed uring; do
		traffic $k "$_n" 0 $T/$k.ready >$T/$k 2>&1 &
		eval _p_$k=$!
	done
	seed_until_gone $T/seed.ready >$T/seed 2>&1 &
	_ps=$!
	_rc=0
	for k in ring fixed uring seed; do
		wait_for $T/$k.ready || _rc=1
	done
	# dmatest has copies done on every channel of it
	_c0=$(stat_sum completed)
	_n=0
	while [ "$(stat_sum completed)" -lt $((_c0 + 64)) ]; do
		_n=$((_n + 1))
		[ $_n -le 1200 ] || { echo "no progress"; _rc=1; break; }
		sleep 0.25
	done
	dma_filter dma_engine
	echo $bdf >$drv/unbind || { echo "unbind failed"; _rc=1; }
	echo "unbound"
	for k in ring fixed uring; do
		eval wait \$_p_$k || _rc=1
		cat $T/$k
	done
	wait $_ps || _rc=1
	cat $T/seed
	# dmatest still holds the channels, and with them the module
	rmmod_refused || _rc=1
	# dmaengine still lists the held channels (by name)
	cat /sys/kernel/debug/dmaengine/summary || _rc=1
	# each of its threads sees the channel fail (a failure is all that
	# dmatest prints of a copy), none a false success
	_n=0
	for t in $_threads; do
		until since_mark unbind | grep -q "$t: result "; do
			_n=$((_n + 1))
			[ $_n -le 1200 ] || { echo "$t did not fail"; _rc=1; break 2; }
			sleep 0.25
		done
	done
	echo 0 >/sys/module/dmatest/parameters/run
	rmmod dmatest || _rc=1
	dma_filter ""
	nothing_mapped || { echo "mappings of $bdf left"; _rc=1; }
	chans_went_quietly unbind || _rc=1
	_log=$(since_mark unbind | grep 'dmatest: dma.*chan')
	echo "$_log" | grep summary
	echo "$_log" | grep -e 'data error' -e 'timed out' && _rc=1
	[ "$(echo "$_log" | grep -c 'summary ')" = 8 ] ||
		{ echo "want 8 summaries"; _rc=1; }
	# every thread failed after the unbind; copies passed before it
	echo "$_log" | grep 'summary ' | awk '{
		for (i = 1; i <= NF; i++) {
			if ($i == "tests,") t = $(i - 1)
			if ($i == "failures") f = $(i - 1)
		}
		if (f < 1) bad = 1
		passed += t - f
	} END { exit bad || !passed }' || { echo "a thread without failures, or no pass at all"; _rc=1; }
	return $_rc
}
timed "unbind 04.0 under dmatest, ring, registered-buffer, URING_CMD and seed traffic: copies before it whole, then ENODEV; dmatest fails, never falsely succeeds" \
	unbind_under_all
cat $T/ring $T/fixed $T/uring $T/seed 2>/dev/null | sed 's/^/# /'
no_dmatest
check "pinned pages balanced after the unbind" pins_balanced

rebound_works() {
	echo $bdf >$drv/bind || return 1
	_n=$(node)
	[ "$(wr $dev/copy_size 65536)" = OK ] || { echo "seed copy failed"; return 1; }
	traffic ring "$_n" 32 && traffic fixed "$_n" 32 && traffic uring "$_n" 32 ||
		return 1
	mark rebound
	dmatest_start threads_per_chan=1 test_buf_size=16384 iterations=20 ||
		return 1
	dmatest_wait
	rmmod dmatest
	dmatest_check rebound 1
}
timed "04.0 binds again and every consumer works on it" rebound_works
settle
check "pinned pages balanced" pins_balanced

# unbind_under_fast_client N: dmatest without data checks, 4 threads per
# channel, submits as fast as it can; unbound N times under it, no channel
# may halt on the way down (a doorbell rung after the channel was reset)
unbind_under_fast_client() {
	_i=0
	while [ $_i -lt "$1" ]; do
		mark "fast$_i"
		dmatest_start timeout=60000 threads_per_chan=4 noverify=1 \
			test_buf_size=16384 iterations=100000 || return 1
		_c0=$(stat_sum completed)
		_n=0
		while [ "$(stat_sum completed)" -lt $((_c0 + 64)) ]; do
			_n=$((_n + 1))
			[ $_n -le 1200 ] || { echo "no progress"; return 1; }
			sleep 0.25
		done
		dma_filter dma_engine
		echo $bdf >$drv/unbind || return 1
		echo 0 >/sys/module/dmatest/parameters/run
		rmmod dmatest || return 1
		dma_filter ""
		nothing_mapped || { echo "mappings of $bdf left"; return 1; }
		chans_went_quietly "fast$_i" || return 1
		echo $bdf >$drv/bind || return 1
		_i=$((_i + 1))
	done
}
timed "unbind 04.0 under a dmaengine client submitting as fast as it can, 4 times: no channel halts on the way down" \
	unbind_under_fast_client 4
settle

# --- 3. unload right after each kind of traffic stops -----------------

# rmmod_after KIND: the module is refused while KIND runs, unloads at
# once when it stops, and loads again
rmmod_after() {
	settle
	rm -f $T/*
	traffic "$1" "$(node)" 32 $T/ready >$T/out 2>&1 &
	_p=$!
	wait_for $T/ready || return 1
	rmmod_refused || { rm -f $T/ready; wait $_p; return 1; }
	rm -f $T/ready
	wait $_p || { cat $T/out; return 1; }
	cat $T/out
	rmmod dma_engine && modprobe dma_engine
}
for k in ring fixed uring; do
	timed "rmmod refused while $k traffic runs, done at once after it stops" \
		rmmod_after $k
done

rmmod_after_dmatest() {
	settle
	mark rmmod
	dmatest_start threads_per_chan=2 test_buf_size=16384 iterations=20 ||
		return 1
	rmmod_refused || return 1
	dmatest_wait
	rmmod dmatest && rmmod dma_engine && modprobe dma_engine &&
		dmatest_check rmmod 2
}
timed "rmmod refused while dmatest holds channels, done at once after it lets go" \
	rmmod_after_dmatest

# Seed copies hold no module reference: the unload goes ahead under them
# and the writer sees copy_size go.
rmmod_under_seed() {
	settle
	rm -f $T/*
	seed_until_gone $T/ready >$T/seed 2>&1 &
	_p=$!
	wait_for $T/ready || return 1
	rmmod dma_engine || { kill $_p; return 1; }
	wait $_p
	_rc=$?
	cat $T/seed
	modprobe dma_engine && [ "$(wr $dev/copy_size 65537)" = OK ] && return $_rc
}
timed "rmmod under seed copies: they finish whole or see copy_size go; it loads again" \
	rmmod_under_seed
check "pinned pages balanced after the unloads" pins_balanced
