#!/bin/sh
# The demo suite in the guest (dmae.suite=demo).
modprobe dma_engine || { echo "demo: cannot load dma_engine"; exit 1; }
echo "# demo-begin"
echo "seed copy demo: IOMMU $DMAE_IOMMU, kernel $(uname -r)"
seed-demo 0.5
rc=$?
echo
echo "shared ring example (demos/tools/ring-example.c):"
ring-example || rc=1
echo
echo "io_uring pipeline (demos/tools/uring-pipeline.c): read -> DMA copy -> write, linked"
dd if=/dev/urandom of=/tmp/in.bin bs=1M count=16 2>/dev/null
uring-pipeline -c 1048576 /tmp/in.bin /tmp/out.bin || rc=1
echo "# demo-rc $rc"
echo "# demo-end"
