#!/bin/sh
# Guest side of `make bench` (and of the quick sweep in `make demo`):
# run dmae-bench and print its CSV between markers for the host.
#   dmae.sweep=quick|full (default full), dmae.cell=SECS (time per cell)
modprobe dma_engine || { echo "bench: cannot load dma_engine"; exit 1; }
sweep=${DMAE_SWEEP:-full}
echo "# bench-begin"
dmae-bench --"$sweep" ${DMAE_CELL:+-t "$DMAE_CELL"} -o /tmp/bench.csv
rc=$?
echo "# bench-rc $rc"
echo "# bench-end"
echo "# csv-begin"
cat /tmp/bench.csv
echo "# csv-end"
