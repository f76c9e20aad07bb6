# Shared by the scripts that build qemu-system-x86_64 from Debian's qemu
# source package (build-qemu.sh, build-qemu-gcov.sh); sourced, not run.
# The caller sets $top (the checkout) and $BUILD. Every build uses the
# same unpacked tree, $BUILD/qemu-src/tree, with our device linked in.

qemu_src=$BUILD/qemu-src/tree
# Parallel compile jobs: the build machines have 2 cores, shared.
qemu_jobs=${QEMU_JOBS:-2}

# Fetch Debian's qemu source package (once, into $BUILD/dl), unpack it
# (once) and link qemu-device/ into the tree (every time: idempotent).
qemu_unpack() {
	local dl=$BUILD/dl dsc
	mkdir -p "$dl"
	if [ ! -f "$qemu_src/.unpacked" ]; then
		dsc=$(ls "$dl"/qemu_*.dsc 2>/dev/null | head -n1 || true)
		if [ -z "$dsc" ]; then
			echo "qemu: fetching Debian's qemu source package"
			(cd "$dl" && apt-get source --download-only qemu >/dev/null)
			dsc=$(ls "$dl"/qemu_*.dsc | head -n1)
		fi
		echo "qemu: unpacking $(basename "$dsc")"
		rm -rf "$BUILD/qemu-src"
		mkdir -p "$BUILD/qemu-src"
		# apt-get source checked the files against the signed archive;
		# dpkg-source's notes about the .dsc's own signature go to the log.
		if ! dpkg-source -x "$dsc" "$qemu_src" >"$BUILD/qemu-src/unpack.log" 2>&1; then
			cat "$BUILD/qemu-src/unpack.log" >&2
			exit 1
		fi
		touch "$qemu_src/.unpacked"
	fi
	"$top/qemu-device/setup-tree.sh" "$qemu_src"
}

# qemu_configure OUT NAME [OPTION...]: configure a build in OUT once, with
# our minimal options (x86_64, TCG, the devices of dma-engine.mak) and any
# more given. NAME tags the messages.
qemu_configure() {
	local out=$1 name=$2
	shift 2
	[ -f "$out/build.ninja" ] && return 0
	echo "$name: configuring (x86_64, TCG, only the devices we need${*:+; $*})"
	rm -rf "$out"
	mkdir -p "$out"
	(cd "$out" && "$qemu_src/configure" --target-list=x86_64-softmmu \
		--without-default-features --enable-tcg \
		--without-default-devices --with-devices-x86_64=dma-engine \
		--disable-docs --disable-werror "$@" >configure.log 2>&1) || {
		tail -n 30 "$out/configure.log" >&2
		rm -f "$out/build.ninja"
		exit 1
	}
}

# qemu_build OUT NAME: build qemu-system-x86_64 and the dma-engine qtest
# (only what changed); fail on any warning in our own files.
qemu_build() {
	local out=$1 name=$2
	echo "$name: building qemu-system-x86_64 and the dma-engine qtest"
	if ! ninja -C "$out" -j "$qemu_jobs" qemu-system-x86_64 \
		tests/qtest/dma-engine-test >"$out/ninja.log" 2>&1; then
		grep -vE '^\[[0-9]+/[0-9]+\] ' "$out/ninja.log" | tail -n 60 >&2
		exit 1
	fi
	# QEMU is configured without -Werror; our own files must build clean.
	if grep -E 'dma[-_]engine[^ ]*: (warning|error)' "$out/ninja.log" >&2; then
		echo "$name: warnings in the dma-engine sources" >&2
		exit 1
	fi
}

# qemu_firmware OUT: the binary in a build tree looks for firmware in
# qemu-bundle/; link Debian's SeaBIOS and option ROMs (PVH loader, iPXE).
qemu_firmware() {
	local fw=$1/qemu-bundle/usr/local/share/qemu f
	mkdir -p "$fw"
	for f in /usr/share/seabios/bios-256k.bin /usr/share/qemu/pvh.bin \
		/usr/share/qemu/linuxboot_dma.bin /usr/share/qemu/kvmvapic.bin \
		/usr/share/ipxe/qemu/efi-e1000e.rom; do
		[ -e "$f" ] && ln -sf "$f" "$fw/$(basename "$f")"
	done
	return 0
}
