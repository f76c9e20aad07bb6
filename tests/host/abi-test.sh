#!/usr/bin/env bash
# libdmae's ABI (issue 15): the shared library exports exactly the
# functions of libdmae.h that are not static inline, the same list as
# liburing-ext/libdmae.map, each with a LIBDMAE_ version; its SONAME is
# libdmae.so.<SOVER>; the header compiles as C11 -pedantic and as C++; a
# program linked against the .so runs and gets the kernel's answer. TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$top/build}
out=$BUILD/host-tests/abi
rm -rf "$out"
mkdir -p "$out"
lib=$top/liburing-ext
rc=0
tap() { # COND-RC DESC [DETAIL]
	if [ "$1" = 0 ]; then
		echo "ok - host: abi: $2"
	else
		echo "not ok - host: abi: $2"
		[ -n "${3:-}" ] && sed 's/^/#   /' <<<"$3"
		rc=1
	fi
}

if ! make -s -C "$lib" O="$out/lib" >"$out/build.log" 2>&1; then
	tap 1 "libdmae builds" "$(cat "$out/build.log")"
	exit 1
fi
so=$(readlink -f "$out/lib/libdmae.so")
sover=$(sed -n 's/^SOVER := //p' "$lib/Makefile")

exported=$(nm -D --defined-only "$so" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort)
mapped=$(sed -n '/global:/,/local:/p' "$lib/libdmae.map" | grep -oE '^[[:space:]]+dmae_[a-z0-9_]+;' | tr -d ' \t;' | sort)
# functions the header declares and does not define inline
declared=$(grep -E '^[a-z].*[ *]dmae_[a-z0-9_]+\(' "$lib/include/libdmae.h" |
	grep -v '^static inline' | grep -oE 'dmae_[a-z0-9_]+\(' | tr -d '(' | sort -u)
d=$(diff <(echo "$exported") <(echo "$mapped"))
tap $? "the .so exports exactly libdmae.map's list ($(echo "$exported" | wc -l) functions)" "$d"
d=$(diff <(echo "$declared") <(echo "$mapped"))
tap $? "libdmae.map lists every function libdmae.h declares (not inline), no more" "$d"
unversioned=$(nm -D --defined-only "$so" | awk '$2 == "T" && $3 !~ /@@LIBDMAE_[0-9]+\.[0-9]+$/')
[ -z "$unversioned" ]
tap $? "every exported function has a LIBDMAE_ version" "$unversioned"
internal=$(nm -D --defined-only "$so" | grep -E ' dmae_sq_flush|internal' || true)
[ -z "$internal" ]
tap $? "internal functions (dmae_sq_flush) are not exported" "$internal"
soname=$(readelf -d "$so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = "libdmae.so.$sover" ]
tap $? "SONAME is libdmae.so.$sover (got $soname)"

cat >"$out/use.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include "libdmae.h"
int main(void)
{
	struct dmae_ring ring;
	/* not a service device: the kernel's ENOTTY comes back as -ENOTTY */
	int ret = dmae_queue_init_dev("/dev/null", 8, &ring, 0);

	printf("%d\n", ret);
	return ret == -ENOTTY ? 0 : 1;
}
C
if err=$(cc -std=c11 -pedantic -Wall -Wextra -Werror -I"$lib/include" -I"$top/uapi" \
	-o "$out/use" "$out/use.c" -L"$out/lib" -ldmae 2>&1); then
	tap 0 "the header compiles as C11 -pedantic -Werror, a program links the .so"
	got=$(LD_LIBRARY_PATH=$out/lib "$out/use" 2>&1)
	tap $? "it runs on the .so: setup on /dev/null gives -ENOTTY (got $got)"
	need=$(readelf -d "$out/use" | sed -n 's/.*Shared library: \[\(libdmae[^]]*\)\]/\1/p')
	[ "$need" = "libdmae.so.$sover" ]
	tap $? "the program records libdmae.so.$sover as its dependency (got $need)"
else
	tap 1 "the header compiles as C11 -pedantic -Werror, a program links the .so" "$err"
fi
if command -v g++ >/dev/null; then
	err=$(g++ -x c++ -std=c++17 -Wall -Wextra -Werror -fsyntax-only \
		-I"$lib/include" -I"$top/uapi" "$lib/include/libdmae.h" 2>&1)
	tap $? "the header compiles as C++17" "$err"
fi
exit $rc
