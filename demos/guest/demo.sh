#!/bin/sh
# The guest side of `make demo`: the demos, each checking its output, then
# the quick benchmark sweep (printed between bench markers, with its CSV).
modprobe dma_engine || { echo "demo: cannot load dma_engine"; exit 1; }
rc=0
run() {
	echo "\$ $*"
	"$@" || { echo "demo: FAILED: $*"; rc=1; }
	echo
}
echo "# demo-begin"
echo "Guest: kernel $(uname -r), IOMMU $DMAE_IOMMU, $(nproc) vCPUs (TCG)"
echo
echo "== 1. The seed interface: one copy at a time through the registers =="
run seed-demo 0.5
echo "== 2. The shortest shared-ring program (demos/tools/ring-example.c) =="
run ring-example
echo "== 3. sendfile-like file copy: page cache to page cache by the engine =="
dd if=/dev/urandom of=/tmp/src.bin bs=1M count=${DMAE_FILE_MB:-64} 2>/dev/null
run dmae-filecopy -v /tmp/src.bin /tmp/dst.bin
rm -f /tmp/dst.bin
echo "== 4. Pipeline: producer -> engine -> consumer -> sink, overlapped =="
for sink in pipe socket file:/tmp/pipeline.out; do
	run dmae-pipeline -s 64m -c 1m -n 2 -o "$sink"
done
run dmae-pipeline -s 64m -c 1m -n 2 -o pipe --cpu
rm -f /tmp/pipeline.out
echo "== 5. The same file copy from a stock io_uring: read -> DMA -> write, linked =="
run uring-pipeline -c 1048576 /tmp/src.bin /tmp/out.bin
rm -f /tmp/src.bin /tmp/out.bin
echo "# demo-rc $rc"
echo "# demo-end"
echo "== 6. Benchmark, quick sweep =="
DMAE_SWEEP=${DMAE_SWEEP:-quick} sh /demos/bench.sh
