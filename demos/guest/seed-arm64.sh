#!/bin/sh
# The guest side of `make demo-arm64`: the seed's copy_size demo on the
# seed's platform (arm64 virt, SMMUv3), as the seed document ran it.
modprobe dma_engine || { echo "demo: cannot load dma_engine"; exit 1; }
rc=0
echo "# demo-begin"
echo "Guest: $(uname -m), kernel $(uname -r), IOMMU $DMAE_IOMMU" \
	"($(cat /sys/bus/pci/devices/0000:00:04.0/iommu_group/type 2>/dev/null || echo none))"
echo "\$ seed-demo 0.5"
seed-demo 0.5 || { echo "demo: FAILED: seed-demo"; rc=1; }
echo "\$ dmesg | grep dma_engine"
dmesg | grep 'dma_engine 0000:00:04.0' | tail -n 6
echo "# demo-rc $rc"
echo "# demo-end"
