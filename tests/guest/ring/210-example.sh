#!/bin/sh
# The demo program that README shows works.
. /tests/lib.sh
ensure_module
check "ring-example submits 8 copies and finds them identical" \
	sh -c "ring-example | grep -q 'all bytes checked: identical'"
check "pinned pages balanced after ring-example" pins_balanced
