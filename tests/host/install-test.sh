#!/usr/bin/env bash
# make install into a staging folder (DESTDIR): every file where it
# belongs; a program built with pkg-config against the staged library
# runs; and, where dkms is installed and we are root, the staged module
# source builds with `dkms build` against the installed kernel headers
# (then everything dkms was given is removed again). TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$top/build}
out=$BUILD/host-tests/install
stage=$out/stage
rm -rf "$out"
mkdir -p "$out"
rc=0
tap() { # RC DESC [DETAIL]
	if [ "$1" = 0 ]; then
		echo "ok - host: install: $2"
	else
		echo "not ok - host: install: $2"
		[ -n "${3:-}" ] && sed 's/^/#   /' <<<"$3" | head -n 40
		rc=1
	fi
}

log=$(make -C "$top" --no-print-directory install PREFIX=/usr DESTDIR="$stage" 2>&1)
tap $? "make install PREFIX=/usr DESTDIR=..." "$log"
ver=$(sed -n 's/^VERSION := //p' "$top/liburing-ext/Makefile")
sover=$(sed -n 's/^SOVER := //p' "$top/liburing-ext/Makefile")
missing=
for f in usr/bin/dmaectl usr/share/man/man1/dmaectl.1 usr/share/man/man3/dmae_copy.3 \
	usr/share/man/man3/libdmae.3 usr/share/man/man4/dma_engine.4 usr/lib/libdmae.a usr/lib/libdmae.so.$ver usr/lib/libdmae.so.$sover \
	usr/lib/libdmae.so usr/lib/pkgconfig/libdmae.pc \
	usr/include/libdmae/libdmae.h usr/include/libdmae/libdmae_uring.h \
	usr/include/libdmae/dmae_uring.h etc/udev/rules.d/60-dma-engine.rules \
	usr/src/dma-engine-$ver/dkms.conf usr/src/dma-engine-$ver/kmod/Kbuild \
	usr/src/dma-engine-$ver/include/hw/dma_engine_regs.h \
	usr/src/dma-engine-$ver/uapi/dmae_uring.h; do
	[ -e "$stage/$f" ] || missing="$missing $f"
done
[ -z "$missing" ]
tap $? "every file is installed where it belongs" "missing:$missing"
stray=$(find "$stage/usr/src" -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd')
[ -z "$stray" ]
tap $? "the DKMS source holds no build output" "$stray"
grep -q "PACKAGE_VERSION=\"$ver\"" "$stage/usr/src/dma-engine-$ver/dkms.conf"
tap $? "dkms.conf names version $ver"

export PKG_CONFIG_SYSROOT_DIR=$stage PKG_CONFIG_LIBDIR=$stage/usr/lib/pkgconfig
flags=$(pkg-config --cflags --libs libdmae 2>&1)
tap $? "pkg-config finds libdmae ($flags)" "$flags"
cat >"$out/app.c" <<'C'
#include <errno.h>
#include <libdmae.h>
int main(void)
{
	struct dmae_ring ring;

	return dmae_queue_init_dev("/dev/null", 8, &ring, 0) == -ENOTTY ? 0 : 1;
}
C
# shellcheck disable=SC2086 # pkg-config's flags split on purpose
err=$(cc -std=c11 -Wall -Wextra -Werror -o "$out/app" "$out/app.c" $flags 2>&1)
tap $? "a program builds against the staged headers and library" "$err"
LD_LIBRARY_PATH=$stage/usr/lib "$out/app"
tap $? "and runs on the staged libdmae.so.$sover"
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR

o=$("$stage/usr/bin/dmaectl" --help)
[ $? = 0 ] && grep -q '^usage: dmaectl' <<<"$o"
tap $? "the installed dmaectl runs (--help)"

log=$(make -C "$top" --no-print-directory uninstall PREFIX=/usr DESTDIR="$stage" 2>&1)
left=$(find "$stage" -type f)
[ -z "$left" ]
tap $? "make uninstall removes every file" "$log$left"

# DKMS against the installed headers
. "$top/vm/kernel-abi.sh"
if ! command -v dkms >/dev/null || [ "$(id -u)" != 0 ]; then
	echo "ok - host: install: dkms build # SKIP needs dkms (make deps) and root"
	exit $rc
fi
make -C "$top" --no-print-directory -s install PREFIX=/usr DESTDIR="$stage" >/dev/null 2>&1
src=/usr/src/dma-engine-$ver
dkms remove -m dma-engine -v "$ver" --all >/dev/null 2>&1
rm -rf "$src"
cp -r "$stage/usr/src/dma-engine-$ver" "$src"
log=$(dkms add -m dma-engine -v "$ver" 2>&1 && dkms build -m dma-engine -v "$ver" -k "$KABI" 2>&1)
r=$?
[ $r = 0 ] || log="$log
$(cat /var/lib/dkms/dma-engine/"$ver"/build/make.log 2>/dev/null | tail -n 30)"
tap $r "dkms build of both modules for $KABI" "$log"
built=$(find /var/lib/dkms/dma-engine/"$ver"/"$KABI" -name '*.ko*' 2>/dev/null | sed 's|.*/||' | sort | tr '\n' ' ')
case "$built" in
"dma_engine.ko"*" dmae_svc.ko"*) tap 0 "dkms built dma_engine.ko and dmae_svc.ko ($built)" ;;
*) tap 1 "dkms built dma_engine.ko and dmae_svc.ko" "got: $built" ;;
esac
dkms remove -m dma-engine -v "$ver" --all >/dev/null 2>&1
rm -rf "$src"
[ ! -e /var/lib/dkms/dma-engine/"$ver" ]
tap $? "dkms remove leaves nothing behind"
exit $rc
