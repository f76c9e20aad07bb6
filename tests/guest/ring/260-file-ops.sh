#!/bin/sh
# The file operations (tests/guest/tools/file-test.c): FILE_READ (a
# pread() by the engine), FILE_WRITE (pwrite) and FILE_COPY
# (copy_file_range), on tmpfs and on ext4 (a RAM disk holding the image the
# build made), through the shared ring and URING_CMD; then kill -9 with
# file reads and copies in flight.
# After each group: no pinned page and no held page-cache page left.
. /tests/lib.sh
ensure_module

held() { cat /sys/module/dmae_svc/parameters/file_pages_held; }
# run_file_test DIR NAME: file-test's own TAP lines, then its exit status;
# then a FILE_WRITE whose descriptor the device fails (04.0 injects it)
run_file_test() {
	file-test /dev/dma_engine0 "$1" "$2"
	rc=$?
	if [ $rc = 77 ]; then
		skip "file-test on $2" "the module has no FILE_READ"
	else
		check "file-test on $2 exits 0 (got $rc)" test $rc = 0
	fi
	if [ -e "$DBG_MSIX/inject_fail" ]; then
		echo 1 >"$DBG_MSIX/inject_fail"
		file-test --fail-write /dev/dma_engine0 "$1/failw" | sed "s/file\[fail\]/file[$2]/"
		echo 0 >"$DBG_MSIX/inject_fail"
	fi
	check "pinned pages balanced after file-test on $2" pins_balanced
	check "no page-cache page held after file-test on $2" expect_eq 0 held
}

mkdir -p /mnt/tmpfs
mount -t tmpfs -o size=256m tmpfs /mnt/tmpfs
run_file_test /mnt/tmpfs tmpfs

# kill -9 with reads and copies in flight (the process is gone after
# wait: its context is released by then)
file-test --flood /dev/dma_engine0 /mnt/tmpfs/data >/dev/null 2>&1 &
p=$!
sleep 1
kill -9 "$p"
wait "$p" 2>/dev/null
check "kill -9 with file reads in flight: pinned pages balanced" pins_balanced
check "kill -9 with file reads in flight: no page-cache page held" expect_eq 0 held
# a page left locked would hang this read (the suite's guard reports it)
check "kill -9 with file copies in flight: the destination reads, its pages unlocked" \
	sh -c "cat /mnt/tmpfs/data.flood >/dev/null"

# Unbind 05.0 with file reads and copies in flight: the process sees the
# engine go, nothing stays pinned, held or locked, and it binds again.
node=$(ls /sys/bus/pci/devices/0000:00:05.0/misc/)
file-test --flood "/dev/$node" /mnt/tmpfs/data >/dev/null 2>&1 &
p=$!
sleep 1
check "unbind 05.0 with file reads and copies in flight" \
	sh -c "echo 0000:00:05.0 >/sys/bus/pci/drivers/dma_engine/unbind"
wait "$p"
check "the file flood saw the engine go (non-zero exit)" test $? -ne 0
check "unbind with file operations in flight: pinned pages balanced" pins_balanced
check "unbind with file operations in flight: no page-cache page held" expect_eq 0 held
check "unbind with file copies in flight: the destination reads, its pages unlocked" \
	sh -c "cat /mnt/tmpfs/data.flood >/dev/null"
check "05.0 binds again after the unbind under file operations" \
	sh -c "echo 0000:00:05.0 >/sys/bus/pci/drivers/dma_engine/bind"
umount /mnt/tmpfs

# ext4 on a RAM disk, when the kernel has the modules (the debug kernel
# is built without them)
if [ -f /ext4.img.gz ] && modprobe brd rd_nr=1 rd_size=163840 2>/dev/null &&
	modprobe crc32c_generic 2>/dev/null && modprobe ext4 2>/dev/null; then
	mkdir -p /mnt/ext4
	if gunzip -c /ext4.img.gz >/dev/ram0 && mount -t ext4 /dev/ram0 /mnt/ext4; then
		run_file_test /mnt/ext4 ext4
		umount /mnt/ext4
	else
		check "ext4 image mounted on /dev/ram0" false
	fi
	rmmod brd
else
	skip "file-test on ext4" "no brd/ext4 modules in this kernel"
fi
