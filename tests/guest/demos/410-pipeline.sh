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
# engine-file: the engine writes the source buffers into the file itself
# (FILE_WRITE); the file is read back and its checksum compared.
rm -f /tmp/pl2.out
check "dmae-pipeline: 1000 KiB in 64 KiB buffers to engine-file, read back and checksum equal" \
	sh -c "dmae-pipeline -s 1024000 -c 64k -n 4 -o engine-file:/tmp/pl2.out | grep -q 'written into the file by the engine; .* checksum equal'"
check "dmae-pipeline: the engine-file sink holds the stream, as the file sink does" \
	sh -c "dmae-pipeline -s 1024000 -c 64k -o file:/tmp/pl.out >/dev/null && cmp /tmp/pl.out /tmp/pl2.out"
check "dmae-pipeline: engine-file with --cpu is refused (status 2)" \
	sh -c "dmae-pipeline --cpu -o engine-file:/tmp/pl2.out 2>/dev/null; [ \$? = 2 ]"
rm -f /tmp/pl2.out
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
