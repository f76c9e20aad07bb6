#!/bin/sh
# Non-root use (issue 15, item 2): packaging/udev/60-dma-engine.rules
# gives the service devices to group dmae, mode 0660. There is no udev in
# the guest, so the test applies what the rule says (its GROUP and MODE)
# and then, as an unprivileged member of the group: ring copies, registered
# buffers and URING_CMD work; pinned memory is charged to the user's
# RLIMIT_MEMLOCK. What must be refused is: the device to a user outside
# the group, another user's open context (its file through /proc), the
# test hooks and the module parameters.
. /tests/lib.sh
ensure_module

R=/etc/udev/rules.d/60-dma-engine.rules
check "the udev rule is in the guest ($R)" test -f $R
rule() { # FIELD: the field of the dma_engine rule
	sed -n "s/.*KERNEL==\"dma_engine.*$1=\"\([^\"]*\)\".*/\1/p" $R
}
check "it gives /dev/dma_engineN to group dmae, mode 0660" \
	expect_eq "dmae 0660" sh -c "echo \$(sed -n 's/.*KERNEL==\"dma_engine.*GROUP=\"\([^\"]*\)\".*MODE=\"\([0-7]*\)\".*/\1 \2/p' $R)"
check "and /dev/dmae_dmaN likewise" \
	sh -c "grep -q 'KERNEL==\"dmae_dma\[0-9\]\*\", GROUP=\"dmae\", MODE=\"0660\"' $R"

GID=990		# group dmae
U=1000		# a member
NOBODY=1001	# not a member
grep -q '^dmae:' /etc/group 2>/dev/null || echo "dmae:x:$GID:$U" >>/etc/group
# what udev does when the devices appear
for d in /dev/dma_engine*; do
	chgrp $GID "$d" && chmod "$(rule MODE)" "$d"
done
D=/dev/dma_engine0
member() { runas $U $U,$GID "$@"; }
outsider() { runas $NOBODY $NOBODY "$@"; }
check "as a member: the runner really is not root" \
	expect_eq "$U" member sh -c 'id -u'

check "as a member: 200 ring copies, each checked" member traffic ring $D 200
check "as a member: 200 copies between registered buffers" member traffic fixed $D 200
check "as a member: 100 URING_CMD copies through a stock io_uring" member traffic uring $D 100
check "as a member: ring-example" member sh -c "DMAE_DEVICE=$D ring-example >/dev/null"
check "as a member without CAP_SYS_NICE: SQPOLL is refused (EPERM)" member sqpoll-test $D eperm
check "pinned pages balanced after the member's copies" pins_balanced
check "the member's registrations are charged to its RLIMIT_MEMLOCK (64 KiB: refused)" \
	member sh -c "ulimit -l 64 && ! traffic fixed $D 10 2>/dev/null"

# Its tracepoints, once root has shared tracefs with the group and
# enabled the events (docs/tracing.md); an outsider still cannot read.
T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs nodev $T 2>/dev/null
if [ -d $T/events/dmae_svc ]; then
	tmode=$(stat -c %a $T)
	mount -o remount,gid=$GID $T && chmod g+rx $T
	echo 0 >$T/tracing_on
	echo >$T/trace
	echo 1 >$T/events/dmae_svc/enable
	echo 1 >$T/tracing_on
	member one-copy $D 4096 0 0x7ace >/dev/null
	echo 0 >$T/events/dmae_svc/enable
	check "as a member: the tracepoints of its own copy (tracefs shared with group dmae)" \
		member sh -c "grep -q 'dmae_svc_cqe: .*user_data=0x7ace' $T/trace"
	check "outside the group: tracefs stays closed" \
		sh -c "! runas $NOBODY $NOBODY cat $T/trace >/dev/null 2>&1"
	mount -o remount,gid=0 $T
	chmod "$tmode" $T
else
	skip "as a member: the tracepoints of its own copy" "no tracefs in this kernel"
fi

check "outside the group: the device is refused, with what to do" \
	sh -c "runas $NOBODY $NOBODY env DMAE_DEVICE=$D ring-example 2>&1 >/dev/null | grep -q 'permission denied'"

# Another user's context: its only way in is the open file, which /proc
# does not hand to another user, member of the group or not.
# (runas and sh exec, so the holder keeps the pid $! throughout)
runas $U $U,$GID sh -c "exec 3<>$D; exec sleep 60" &
pid=$!
i=0
while [ ! -e /proc/$pid/fd/3 ] && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "a member holds $D open (pid $pid, fd 3)" \
	sh -c "readlink /proc/$pid/fd/3 | grep -qx $D"
# refused UID GIDS PATH: UID cannot open PATH, and is told "Permission denied"
refused() {
	! runas "$1" "$2" sh -c "exec 4<>$3" 2>/tmp/refused.err &&
		grep -q 'Permission denied' /tmp/refused.err ||
		{ cat /tmp/refused.err; return 1; }
}
check "another member cannot open the first one's ring through /proc/$pid/fd/3" \
	refused 1002 1002,$GID /proc/$pid/fd/3
check "nor can an outsider" refused $NOBODY $NOBODY /proc/$pid/fd/3
check "root can (the path is right: the refusals are the user's)" \
	sh -c "exec 4<>/proc/$pid/fd/3"
kill $pid 2>/dev/null
wait $pid 2>/dev/null

# The test hooks and knobs stay root's.
check "a member cannot write copy_size" member sh -c "! echo 4096 2>/dev/null >$DEV_MSIX/copy_size"
for f in chan_selftest fault_selftest bench inject_fail; do
	[ -e "$DBG_MSIX/$f" ] || continue
	check "a member cannot write the debugfs hook $f" member sh -c "! echo 4096 2>/dev/null >$DBG_MSIX/$f"
done
check "a member cannot read inject_fired" member sh -c "! cat $DBG_MSIX/inject_fired 2>/dev/null"
check "no test hook is left in sysfs" sh -c "! ls $DEV_MSIX | grep -E '^(bench|chan_selftest|fault_selftest|inject_)'"
check "a member cannot change chan_roles" \
	member sh -c "! echo unused 2>/dev/null >/sys/module/dma_engine/parameters/chan_roles"
check "a member cannot change the service's dma_channels" \
	member sh -c "! echo all 2>/dev/null >/sys/module/dmae_svc/parameters/dma_channels"
check "a member cannot unbind the engine" \
	member sh -c "! echo 0000:00:04.0 2>/dev/null >/sys/bus/pci/drivers/dma_engine/unbind"
check "the engine is still bound and copying" traffic ring $D 20

for d in /dev/dma_engine*; do
	chgrp 0 "$d" && chmod 0600 "$d"
done
