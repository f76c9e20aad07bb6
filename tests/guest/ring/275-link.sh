#!/bin/sh
# Ordering on a context spread over the channels (link-test): chains,
# drains, cancelling; every channel takes work; closing with chains in
# flight leaves nothing pinned. On the MSI-X engine (4 channels).
. /tests/lib.sh
ensure_module

prog link-test /dev/dma_engine0
check "pinned pages balanced after link-test" pins_balanced

# spread_used: 64 copies on a spread context reach every channel
spread_used() {
	_n=$(awk '/^ch[0-9]/ { n++ } END { print n + 0 }' "$DEV_MSIX/chan_stats")
	_b=$(awk '/^ch[0-9]/ { for (i = 2; i < NF; i++) if ($i == "submitted") printf "%s ", $(i + 1) }' "$DEV_MSIX/chan_stats")
	link-test --spread 64 /dev/dma_engine0 || return 1
	_a=$(awk '/^ch[0-9]/ { for (i = 2; i < NF; i++) if ($i == "submitted") printf "%s ", $(i + 1) }' "$DEV_MSIX/chan_stats")
	echo "channels $_n, submitted before: $_b after: $_a"
	set -- $_b
	for _x in $_a; do
		[ "$_x" -gt "$1" ] || return 1
		shift
	done
	[ "$_n" -ge 2 ]
}
check "a spread context's copies reach every channel of the engine" spread_used
check "closing with chains and drains in flight" link-test --close /dev/dma_engine0
check "pinned pages balanced after the close" pins_balanced
