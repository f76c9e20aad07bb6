#!/bin/sh
# The demo suite in the guest (dmae.suite=demo).
modprobe dma_engine || { echo "demo: cannot load dma_engine"; exit 1; }
echo "# demo-begin"
echo "seed copy demo: IOMMU $DMAE_IOMMU, kernel $(uname -r)"
seed-demo 0.5
echo "# demo-rc $?"
echo "# demo-end"
