#!/bin/sh
# dmae-filecopy, small sizes: every method copies and checks the file.
. /tests/lib.sh
ensure_module

# 3 333 000 bytes: not a multiple of the chunk or of a page.
dd if=/dev/urandom of=/tmp/fc.bin bs=1000 count=3333 2>/dev/null
check "dmae-filecopy: all five methods copy 3.3 MB and the output is identical" \
	sh -c "dmae-filecopy -c 64k -q 4 /tmp/fc.bin /tmp/fc.out >/tmp/fc.log &&
	       [ \$(grep -c ' identical\$' /tmp/fc.log) = 5 ] && cmp /tmp/fc.bin /tmp/fc.out"
check "dmae-filecopy: the engine-fd method (FILE_COPY) alone copies it" \
	sh -c "dmae-filecopy -m engine-fd /tmp/fc.bin /tmp/fc.out | grep -q 'engine-fd .* identical' &&
	       cmp /tmp/fc.bin /tmp/fc.out"
check "dmae-filecopy -k: every method overwrites a prefilled destination, identical" \
	sh -c "dmae-filecopy -k -c 64k -q 4 /tmp/fc.bin /tmp/fc.out >/tmp/fc.log &&
	       [ \$(grep -c ' identical\$' /tmp/fc.log) = 5 ] && cmp /tmp/fc.bin /tmp/fc.out"
check "dmae-filecopy: the engine method alone, 4 MiB chunks, progress lines" \
	sh -c "dmae-filecopy -v -m engine -c 4m /tmp/fc.bin /tmp/fc.out | grep -q 'to allocate and map'"
# -o: a header, then one line per method with its size and label, appended
rm -f /tmp/fc.csv
csv_ok() {
	dmae-filecopy -m engine-fd,sendfile -o /tmp/fc.csv -L tmpfs /tmp/fc.bin /tmp/fc.out >/dev/null &&
		dmae-filecopy -m copy_file_range -o /tmp/fc.csv -L tmpfs /tmp/fc.bin /tmp/fc.out >/dev/null || return 1
	[ "$(head -n 1 /tmp/fc.csv)" = "label,bytes,method,seconds,mbps,cpu_all_s,cpu_proc_s,output" ] &&
		[ "$(wc -l </tmp/fc.csv)" = 4 ] &&
		[ "$(grep -c '^tmpfs,3333000,[a-z_-]*,[0-9.]*,[0-9.]*,[0-9.-]*,[0-9.]*,identical$' /tmp/fc.csv)" = 3 ] &&
		grep -q ',copy_file_range,' /tmp/fc.csv
}
check "dmae-filecopy -o: a CSV header once, then one line per method and run" csv_ok
check "dmae-filecopy -L: a label with a comma is refused with status 2" \
	sh -c "dmae-filecopy -o /tmp/fc.csv -L a,b /tmp/fc.bin /tmp/fc.out 2>/dev/null; [ \$? = 2 ]"
rm -f /tmp/fc.csv
: >/tmp/empty.bin
check "dmae-filecopy: an empty file is copied as empty" \
	sh -c "dmae-filecopy /tmp/empty.bin /tmp/empty.out | grep -q 'engine.* identical' && [ ! -s /tmp/empty.out ]"
check "dmae-filecopy -h tells its usage" sh -c "dmae-filecopy -h | grep -q '^usage'"
check "dmae-filecopy: a bad chunk size is refused with status 2" \
	sh -c "dmae-filecopy -c 100 /tmp/fc.bin /tmp/fc.out 2>/dev/null; [ \$? = 2 ]"
check "dmae-filecopy: an unknown method is refused with status 2" \
	sh -c "dmae-filecopy -m splice /tmp/fc.bin /tmp/fc.out 2>/dev/null; [ \$? = 2 ]"
check "dmae-filecopy: a missing source is an error (status 1)" \
	sh -c "dmae-filecopy /nonexistent /tmp/fc.out 2>/dev/null; [ \$? = 1 ]"
check "dmae-filecopy: a directory as source is an error (status 1)" \
	sh -c "dmae-filecopy /tmp /tmp/fc.out 2>/dev/null; [ \$? = 1 ]"
rm -f /tmp/fc.bin /tmp/fc.out /tmp/empty.bin /tmp/empty.out
check "pinned pages balanced after dmae-filecopy" pins_balanced
