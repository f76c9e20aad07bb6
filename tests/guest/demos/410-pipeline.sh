#!/bin/sh
# dmae-pipeline, small sizes: every sink, the engine and memcpy stages.
. /tests/lib.sh
ensure_module

for sink in pipe socket file:/tmp/pl.out none; do
	check "dmae-pipeline: 4 MiB in 64 KiB buffers to $sink, checked end to end" \
		sh -c "dmae-pipeline -s 4m -c 64k -n 2 -o $sink | grep -q 'every buffer checked'"
done
check "dmae-pipeline: the file sink holds the stream (4 MiB)" \
	test "$(wc -c </tmp/pl.out)" = 4194304
check "dmae-pipeline: 8 buffers a side, a last partial buffer (1000 KiB total)" \
	sh -c "dmae-pipeline -s 1024000 -c 64k -n 8 | grep -q 'checksum equal'"
check "dmae-pipeline --cpu: the memcpy stage for comparison" \
	sh -c "dmae-pipeline --cpu -s 4m -c 64k | grep -q 'middle stage memcpy'"
check "dmae-pipeline -h tells its usage" sh -c "dmae-pipeline -h | grep -q '^usage'"
check "dmae-pipeline: one buffer a side is refused (status 2)" \
	sh -c "dmae-pipeline -n 1 2>/dev/null; [ \$? = 2 ]"
check "dmae-pipeline: an unknown sink is refused (status 2)" \
	sh -c "dmae-pipeline -o tape 2>/dev/null; [ \$? = 2 ]"
check "dmae-pipeline: a missing engine is an error (status 1)" \
	sh -c "dmae-pipeline -d /dev/nonexistent -s 64k -c 64k 2>/dev/null; [ \$? = 1 ]"
rm -f /tmp/pl.out
check "pinned pages balanced after dmae-pipeline" pins_balanced
