#!/bin/sh
# The module loads, binds by its alias (autoload), and uses MSI or INTx.
. /tests/lib.sh

devs=$(dmae_devices)
msi_dev=$(echo "$devs" | head -n1)
intx_dev=$(echo "$devs" | tail -n1)

bound() {
	[ "$(basename "$(readlink "$1/driver")")" = dma_engine ]
}

# As udev would: modprobe the device's modalias.
check "modprobe by modalias loads the module" \
	modprobe "$(cat "$msi_dev/modalias")"
for d in $devs; do
	check "${d##*/}: bound to dma_engine" bound "$d"
	check "${d##*/}: copy_size and max_copy_size exist" \
		test -w "$d/copy_size" -a -r "$d/max_copy_size"
done
check "MSI function uses MSI" test -d "$msi_dev/msi_irqs"
check "INTx-only function falls back to INTx" \
	sh -c "dmesg | grep -q '${intx_dev##*/}: INTx interrupt'"
check "max_copy_size is 2 MiB" expect_eq 2097152 cat "$msi_dev/max_copy_size"
