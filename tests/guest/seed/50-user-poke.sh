#!/bin/sh
# The seed's own access pattern (32-bit writes at 0x1014/0x1018, 32-bit
# poll at 0x101c), from user space through resource0 with the driver
# unbound. Without an IOMMU the copy lands; with one, the unmapped
# physical addresses are blocked and the device reports a read fault.
. /tests/lib.sh

dev=$(dmae_devices | head -n1)
n=${dev##*/}
echo "$n" >/sys/bus/pci/drivers/dma_engine/unbind
echo 1 >"$dev/enable"
if [ "$DMAE_IOMMU" = on ]; then
	allow_dmar_faults 8
	check "IOMMU blocks DMA to unmapped pages: read fault, nothing written" \
		sh -c "seed-poke $dev 4096 | grep -q '^error 4 at '"
else
	check "seed access pattern copies 1 byte" \
		expect_eq copied seed-poke "$dev" 1
	check "seed access pattern copies 4096 bytes" \
		expect_eq copied seed-poke "$dev" 4096
fi
echo 0 >"$dev/enable"
echo "$n" >/sys/bus/pci/drivers/dma_engine/bind
check "rebinding the driver works" expect_eq OK wr "$dev/copy_size" 4096
