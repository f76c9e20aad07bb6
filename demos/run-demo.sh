#!/usr/bin/env bash
# make demo: boot the guest with the IOMMU off, then on (strict); in each,
# run the demos (each checks its own output) and the quick benchmark sweep;
# print the demo reports and the comparison tables, draw the plots, and
# say where everything is. See bench/run-bench.sh for the files written.
exec "$(dirname "$0")/../bench/run-bench.sh" --quick --suite demo "$@"
