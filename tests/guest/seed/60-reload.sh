#!/bin/sh
# Unload and reload, idle and with copies in flight.
. /tests/lib.sh

devs=$(dmae_devices)
dev=$(echo "$devs" | head -n1)
ko=/lib/modules/$(uname -r)/extra/dma_engine.ko

i=1
while [ $i -le 3 ]; do
	check "unload $i" rmmod dma_engine
	check "unload $i: copy_size is gone" test ! -e "$dev/copy_size"
	check "reload $i" insmod "$ko"
	check "reload $i: copy works" expect_eq OK wr "$dev/copy_size" 65537
	i=$((i + 1))
done

# rmmod while writers run: they finish or get an error, nothing breaks.
for d in $devs; do
	(
		while wr "$d/copy_size" 1048576 >/dev/null; do :; done
	) &
done
sleep 1
check "unload with copies in flight" rmmod dma_engine
wait
check "reload after unload under load" insmod "$ko"
check "copy after unload under load" expect_eq OK wr "$dev/copy_size" 4096
