#!/bin/sh
# The module loads, binds by its alias (autoload), and uses MSI or INTx.
. /tests/lib.sh

devs=$(dmae_devices)

bound() {
	[ "$(basename "$(readlink "$1/driver")")" = dma_engine ]
}

# As udev would: modprobe the device's modalias.
check "modprobe by modalias loads the module" \
	modprobe "$(cat "$DEV_MSIX/modalias")"
for d in $devs; do
	check "${d##*/}: bound to dma_engine" bound "$d"
	check "${d##*/}: copy_size and max_copy_size exist" \
		test -w "$d/copy_size" -a -r "$d/max_copy_size"
done
# After binding: on arm64 (device tree) the SMMUv3 takes a device at probe.
if [ "$DMAE_IOMMU" = on ]; then
	check "IOMMU translates for the device, strict mode (domain type DMA)" \
		expect_eq DMA cat "$DEV_MSIX/iommu_group/type"
else
	check "no IOMMU group without an IOMMU" test ! -e "$DEV_MSIX/iommu_group"
fi
check "04.0 uses MSI-X, 4 channels" \
	sh -c "dmesg | grep -q '0000:00:04.0: MSI-X interrupt, 4 channels'"
check "05.0 falls back to INTx, 2 channels" \
	sh -c "dmesg | grep -q '0000:00:05.0: INTx interrupt, 2 channels'"
check "06.0 falls back to MSI, 1 channel" \
	sh -c "dmesg | grep -q '0000:00:06.0: MSI interrupt, 1 channels'"
check "04.0 has 5 MSI-X vectors" \
	expect_eq 5 sh -c "ls $DEV_MSIX/msi_irqs | wc -l"
check "max_copy_size is 2 MiB" expect_eq 2097152 cat "$DEV_MSIX/max_copy_size"
