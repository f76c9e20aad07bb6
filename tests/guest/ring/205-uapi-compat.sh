#!/bin/sh
# Version 2 of the uapi beside version 1's numbers and layouts
# (tests/guest/tools/uapi-compat-test.c prints its own TAP lines).
. /tests/lib.sh
ensure_module
prog uapi-compat-test /dev/dma_engine0
check "pinned pages balanced after uapi-compat-test" pins_balanced
