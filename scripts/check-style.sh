#!/usr/bin/env bash
# Style checks: the kernel's checkpatch.pl --strict on kmod/ and tests/guest/testmod/ (and on the
# hardware header both sides share), kernel-doc and sparse on kmod/, QEMU's own checkpatch.pl on the device
# model and its qtest. Exit 1 if any file has an error or a warning.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
linux=$("$top/scripts/linux-src.sh") || exit 1
qemu_cp=$BUILD/qemu-src/tree/scripts/checkpatch.pl
rc=0
cd "$top"

for f in $(git ls-files 'kmod/*.[ch]' 'tests/guest/testmod/*.c') include/hw/dma_engine_regs.h; do
	if out=$(perl "$linux/scripts/checkpatch.pl" --no-tree --strict --terse \
		--show-types --ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f "$f" 2>&1) &&
		! grep -qE '(ERROR|WARNING|CHECK):' <<<"$out"; then
		echo "ok - kernel checkpatch --strict: $f"
	else
		echo "not ok - kernel checkpatch --strict: $f"
		sed 's/^/#   /' <<<"$out"
		rc=1
	fi
done

# kernel-doc comments of the module parse cleanly.
. "$top/vm/kernel-abi.sh"
kdoc=/usr/src/linux-headers-${KABI%-amd64}-common/scripts/kernel-doc
[ -f "$kdoc" ] || kdoc=$(ls /usr/src/linux-headers-*-common/scripts/kernel-doc | head -n1)
if out=$(perl "$kdoc" -none -Werror $(git ls-files 'kmod/*.[ch]') 2>&1) && [ -z "$out" ]; then
	echo "ok - kernel-doc: kmod/ comments parse without warnings"
else
	echo "not ok - kernel-doc: kmod/ comments"
	sed 's/^/#   /' <<<"$out"
	rc=1
fi

# sparse on both modules (C=2: every file), with the address-space,
# endianness and lock-context checks the kernel's own builds use.
if out=$(make -C "$KDIR" M="$top/kmod" C=2 \
	CHECK="sparse -Wbitwise -Wcontext -Wcast-to-as" modules 2>&1) &&
	! grep -qE '(warning|error):' <<<"$out"; then
	echo "ok - sparse: kmod/ (dmae_svc.ko, dma_engine.ko) is clean"
else
	echo "not ok - sparse: kmod/"
	grep -E '(warning|error):' <<<"$out" | head -n 30 | sed 's/^/#   /'
	rc=1
fi

# The man pages (made by scripts/build-man.sh): groff with every warning.
man=$BUILD/man
if out=$("$top/scripts/build-man.sh" "$man" 2>&1); then
	bad=$(for f in "$man"/man*/*; do groff -z -ww -man -t "$f" 2>&1 | sed "s|^|${f#"$man"/}: |"; done)
	if [ -z "$bad" ]; then
		echo "ok - man pages: $(ls "$man"/man*/* | wc -l) pages, groff -ww clean"
	else
		echo "not ok - man pages: groff -ww clean"
		sed 's/^/#   /' <<<"$bad" | head -n 20
		rc=1
	fi
else
	echo "not ok - man pages: build-man.sh"
	sed 's/^/#   /' <<<"$out"
	rc=1
fi

# QEMU's checkpatch runs inside the QEMU tree, where our files are linked
# in as hw/dma-engine/, tests/qtest/ and include/hw/ (its rules depend on
# the path).
for f in $(git ls-files 'qemu-device/*.[ch]') include/hw/dma_engine_regs.h; do
	case "$f" in
	include/*) in_tree=$f ;;
	qemu-device/tests/*) in_tree=tests/qtest/${f#qemu-device/tests/} ;;
	*) in_tree=hw/dma-engine/${f#qemu-device/} ;;
	esac
	if out=$(cd "$BUILD/qemu-src/tree" && perl scripts/checkpatch.pl -f "$in_tree" 2>&1) &&
		! grep -q '^WARNING' <<<"$out"; then
		echo "ok - qemu checkpatch: $f"
	else
		echo "not ok - qemu checkpatch: $f"
		grep -E '^(ERROR|WARNING)|^#' <<<"$out" | sed 's/^/#   /'
		rc=1
	fi
done
exit $rc
