#!/bin/sh
# Last of all: kmemleak (debug kernel) finds no memory of ours that
# nothing points to any more.
. /tests/lib.sh
k=/sys/kernel/debug/kmemleak
if [ ! -e $k ]; then
	skip "kmemleak: no leaked object from dma_engine or dmae_svc" "needs the debug kernel"
	exit 0
fi
ensure_module
leaks() {
	echo scan >$k
	echo scan >$k
	cat $k >/tmp/kmemleak.out
	n=$(grep -c 'unreferenced object' /tmp/kmemleak.out)
	ours=$(awk '/unreferenced object/ { o = 0 } /\[(dma_engine|dmae_svc)\]|dmae_/ { if (!o) c++; o = 1 } END { print c + 0 }' /tmp/kmemleak.out)
	echo "kmemleak: $n unreferenced objects, $ours from dma_engine or dmae_svc"
	[ "$ours" = 0 ] || { grep -B2 -A14 'unreferenced object' /tmp/kmemleak.out | head -n 60; return 1; }
}
check "kmemleak: no leaked object from dma_engine or dmae_svc" leaks
