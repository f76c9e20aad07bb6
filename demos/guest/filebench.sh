#!/bin/sh
# Guest side of `make filebench`: every way of copying a file, for file
# sizes from 64 KiB up, on tmpfs and on ext4 (a RAM disk), one dmae-filecopy
# run per size (each checks its output byte for byte), then on tmpfs again
# into a destination already written whole (dmae-filecopy -k: pages already
# in the page cache); the CSV goes to the host between markers.
#   dmae.fbsizes=64k,1m,... (default 64 KiB to 256 MiB on tmpfs; ext4
#   stops at 64 MiB, its RAM disk holds 160 MiB)
modprobe dma_engine || { echo "filebench: cannot load dma_engine"; exit 1; }
sizes=$(echo "${DMAE_FBSIZES:-64k 256k 1m 4m 16m 64m 256m}" | tr , " ")
methods=engine-fd,copy_file_range,sendfile,read-write,engine
csv=/tmp/filebench.csv
rc=0
: >"$csv"

# sweep LABEL DIR MAXBYTES [dmae-filecopy options]
sweep() {
	for s in $sizes; do
		bytes=$(echo "$s" | awk '{ n = $1 + 0; if ($1 ~ /k$/) n *= 1024; if ($1 ~ /m$/) n *= 1048576; print n }')
		[ "$bytes" -le "$3" ] || continue
		rm -f "$2/src" "$2/dst"
		head -c "$bytes" /dev/urandom >"$2/src" || { rc=1; continue; }
		echo "== $1, $s =="
		dmae-filecopy -m "$methods" -c 4m -q 8 -o "$csv" -L "$1" $4 \
			"$2/src" "$2/dst" || rc=1
		rm -f "$2/src" "$2/dst"
	done
}

echo "# filebench-begin"
mkdir -p /mnt/fb-tmpfs
if mount -t tmpfs -o size=600m tmpfs /mnt/fb-tmpfs; then
	sweep tmpfs /mnt/fb-tmpfs $((256 << 20))
	# into pages already in the page cache: what the allocation costs
	sweep tmpfs-overwrite /mnt/fb-tmpfs $((256 << 20)) -k
	umount /mnt/fb-tmpfs
else
	echo "filebench: cannot mount a tmpfs"; rc=1
fi
if [ -f /ext4.img.gz ] && modprobe brd rd_nr=1 rd_size=163840 2>/dev/null &&
	modprobe crc32c_generic 2>/dev/null && modprobe ext4 2>/dev/null; then
	mkdir -p /mnt/fb-ext4
	if gunzip -c /ext4.img.gz >/dev/ram0 && mount -t ext4 /dev/ram0 /mnt/fb-ext4; then
		sweep ext4 /mnt/fb-ext4 $((64 << 20))
		umount /mnt/fb-ext4
	else
		echo "filebench: cannot mount the ext4 image"; rc=1
	fi
	rmmod brd
else
	echo "filebench: no brd/ext4 modules in this kernel: ext4 skipped"
fi
echo "# filebench-rc $rc"
echo "# filebench-end"
echo "# csv-begin"
cat "$csv"
echo "# csv-end"
