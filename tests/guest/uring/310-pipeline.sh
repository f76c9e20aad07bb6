#!/bin/sh
# The io_uring pipeline demo copies a file correctly (small sizes).
. /tests/lib.sh
ensure_module
dd if=/dev/urandom of=/tmp/pin.bin bs=1000 count=3333 2>/dev/null
check "uring-pipeline copies a 3.3 MB file in 256 KiB chunks, output checked" \
	sh -c "uring-pipeline -c 262144 /tmp/pin.bin /tmp/pout.bin | grep -q 'identical to input'"
check "uring-pipeline -h tells its usage" sh -c "uring-pipeline -h | grep -q usage"
check "uring-pipeline refuses a missing input" sh -c "! uring-pipeline /nonexistent /tmp/x 2>/dev/null"
check "pinned pages balanced after the pipeline" pins_balanced
