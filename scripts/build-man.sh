#!/usr/bin/env bash
# The man pages: one per libdmae function, made by the kernel's own
# kernel-doc (-man) from the comments in liburing-ext/include/libdmae.h
# (so page and header cannot drift apart), and the hand-written pages in
# man/ (dmaectl(1), libdmae(3), dma_engine(4)).
#   build-man.sh OUTDIR        -> OUTDIR/man1, man3, man4
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$1
hdr=$top/liburing-ext/include/libdmae.h
ver=$(sed -n 's/^VERSION := //p' "$top/liburing-ext/Makefile")
kdoc=$(ls /usr/src/linux-headers-*-common/scripts/kernel-doc 2>/dev/null | head -n 1)
[ -n "$kdoc" ] || { echo "build-man: kernel-doc not found (make deps installs the headers)" >&2; exit 1; }
date=$(date -u -d "@$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)" +%Y-%m-%d)
rm -rf "$out"
mkdir -p "$out/man1" "$out/man3" "$out/man4"
fns=$(sed -n 's/^ \* \(dmae_[a-z0-9_]*\)() - .*/\1/p' "$hdr" | sort -u)
for f in $fns; do
	# kernel-doc writes section 9 of the kernel's manual: make it ours,
	# with the header and the library in the synopsis
	perl "$kdoc" -man -function "$f" "$hdr" 2>/dev/null |
		sed -e "1s/.*/.TH \"$f\" 3 \"$date\" \"libdmae $ver\" \"libdmae Manual\"/" \
			-e '/^\.SH SYNOPSIS/a .B #include <libdmae.h>\n.br\n.sp' \
			-e 's/^\.SH "RETURN"$/.SH "RETURN VALUE"/' \
			-e 's/@\([a-z_][a-z0-9_]*\)/\\fI\1\\fP/g' \
			-e '$a .SH LIBRARY\nlibdmae (\\fI-ldmae\\fP; pkg-config \\fIlibdmae\\fP)\n.SH SEE ALSO\n.BR libdmae (3),\n.BR dma_engine (4)' \
			>"$out/man3/$f.3"
	[ -s "$out/man3/$f.3" ] || { echo "build-man: kernel-doc gave nothing for $f" >&2; exit 1; }
done
for p in "$top"/man/*.[0-9]; do
	s=${p##*.}
	sed -e "s/@VERSION@/$ver/g" -e "s/@DATE@/$date/g" "$p" >"$out/man$s/$(basename "$p")"
done
echo "$(ls "$out"/man*/* | wc -l) pages in $out"
