#!/bin/sh
# dmae-bench, a tiny sweep: every path runs, checks its copies, and the
# CSV and the summary come out.
. /tests/lib.sh
ensure_module

check "dmae-bench: every path at 4 KiB and 64 KiB, 20 ms a cell" \
	sh -c "dmae-bench -t 0.02 -s 4k,64k -o /tmp/b.csv >/tmp/b.log"
check "dmae-bench: the CSV has a row per cell, all checked" \
	sh -c "n=\$(grep -c . /tmp/b.csv); bad=\$(awk -F, 'NR > 1 && (\$16 != 1 || \$17 != \"\")' /tmp/b.csv | wc -l);
	       [ \$n -gt 20 ] && [ \$bad = 0 ] || { echo \"rows \$n, bad \$bad\"; cat /tmp/b.csv; false; }"
check "dmae-bench: the SQPOLL paths ran (with and without IOPOLL), and polled URING_CMD" \
	sh -c "grep -q '^[a-z]*,ring-sqpoll,size,4096,' /tmp/b.csv &&
	       grep -q '^[a-z]*,ring-sqpoll-poll,size,65536,' /tmp/b.csv &&
	       grep -q '^[a-z]*,uring-cmd-poll,size,65536,' /tmp/b.csv"
check "dmae-bench: the kernel's CPU path was taken for kernel-cpu" \
	grep -q '^[a-z]*,kernel-cpu,size,4096,' /tmp/b.csv
check "dmae-bench: the summary has the comparison, break-even and targets" \
	sh -c "grep -q '^== Comparison' /tmp/b.log && grep -q '^Break-even' /tmp/b.log &&
	       grep -q 'registered-buffer offload >= 5x' /tmp/b.log"
check "dmae-bench -h tells its usage" sh -c "dmae-bench -h | grep -q '^usage'"
check "dmae-bench: an unknown path is refused (status 2)" \
	sh -c "dmae-bench -p warp 2>/dev/null; [ \$? = 2 ]"
check "dmae-bench: a size over 64 MiB is refused (status 2)" \
	sh -c "dmae-bench -s 128m 2>/dev/null; [ \$? = 2 ]"
check "dmae-bench: a missing engine is an error (status 1)" \
	sh -c "dmae-bench -d /dev/nonexistent -p memcpy -s 4k 2>/dev/null; [ \$? = 1 ]"
sed -n '/^Targets/,$p' /tmp/b.log | sed 's/^/# /'
rm -f /tmp/b.csv /tmp/b.log
check "pinned pages balanced after dmae-bench" pins_balanced
# 16 MiB copies at QD 8 are 128 jobs: the descriptor ring (128) runs full
# and the driver refills it as completions come (a device that counted a
# completed slot as busy until HEAD moved halted with BAD_TAIL here).
check "dmae-bench: 16 MiB copies at QD 8 keep the descriptor ring full, all checked" \
	dmae-bench -t 0.3 -p ring,uring-cmd -s 16m
check "pinned pages balanced after the full-ring run" pins_balanced
