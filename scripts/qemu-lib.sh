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
# our minimal options (the targets of $qemu_targets, TCG, the devices of
# dma-engine*.mak) and any more given. NAME tags the messages.
# build-qemu.sh builds aarch64 beside x86_64 (one tree, shared objects);
# the gcov and fuzz builds are x86_64 only.
qemu_targets=${qemu_targets:-x86_64}
qemu_configure() {
	local out=$1 name=$2
	shift 2
	local t list= devs=()
	for t in $qemu_targets; do
		list+=${list:+,}$t-softmmu
		devs+=(--with-devices-$t=dma-engine)
	done
	# configured once; again only when the targets or options change
	[ -f "$out/build.ninja" ] &&
		[ "$(cat "$out/dmae-configured" 2>/dev/null)" = "$list $*" ] && return 0
	echo "$name: configuring ($qemu_targets, TCG, only the devices we need${*:+; $*})"
	rm -rf "$out"
	mkdir -p "$out"
	(cd "$out" && "$qemu_src/configure" --target-list="$list" \
		--without-default-features --enable-tcg \
		--without-default-devices "${devs[@]}" \
		--disable-docs --disable-werror "$@" >configure.log 2>&1) || {
		tail -n 30 "$out/configure.log" >&2
		rm -f "$out/build.ninja"
		exit 1
	}
	echo "$list $*" >"$out/dmae-configured"
}

# qemu_build OUT NAME: build qemu-system-<target> of every target and the
# dma-engine qtest (only what changed); fail on any warning in our own files.
qemu_build() {
	local out=$1 name=$2 t bins=()
	for t in $qemu_targets; do bins+=("qemu-system-$t"); done
	echo "$name: building ${bins[*]} and the dma-engine qtest"
	if ! ninja -C "$out" -j "$qemu_jobs" "${bins[@]}" \
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
