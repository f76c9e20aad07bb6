# dma-engine: a memory-copy offload service (QEMU device, Linux driver,
# shared ring, library). See README.md.
#
#   make test    install what is missing, build, run every test
#   make demo    install what is missing, build, run the main job
#   make bench   the full benchmark sweep (about 3 minutes)
#   make fuzz    the fuzz campaign: device model and uapi, a million each
#   make help    all targets

BUILD ?= $(CURDIR)/build
export BUILD
SHELL := /bin/bash

GUEST_BIN := $(BUILD)/guest-bin
HOST_BIN := $(BUILD)/host-bin
HOST_SRCS := $(wildcard demos/host/*.c)
HOST_BINS := $(addprefix $(HOST_BIN)/,$(basename $(notdir $(HOST_SRCS))))
HOST_CFLAGS := -std=c11 -O2 -Wall -Wextra -Werror
GUEST_SRCS := $(wildcard tests/guest/tools/*.c tests/guest/tools/ring/ring-*.c demos/tools/*.c tools/*.c)
GUEST_BINS := $(addprefix $(GUEST_BIN)/,$(basename $(notdir $(GUEST_SRCS)))) \
	$(GUEST_BIN)/dmae-bench
BENCH_SRCS := $(wildcard bench/*.c)
# GUEST_SYSROOT: another architecture's liburing (scripts/build-arm64.sh)
GUEST_CFLAGS := -std=c11 -O2 -Wall -Wextra -Werror -static \
	-Iuapi -Iliburing-ext/include -Idemos/include \
	$(if $(GUEST_SYSROOT),-I$(GUEST_SYSROOT)/usr/include -L$(GUEST_SYSROOT)/usr/lib/aarch64-linux-gnu)
LIBDMAE := $(BUILD)/liburing-ext/libdmae.a
LIBDMAE_DEPS := $(wildcard liburing-ext/src/*.[ch] liburing-ext/include/*.h) \
	uapi/dmae_uring.h liburing-ext/Makefile
vpath %.c tests/guest/tools demos/tools demos/host tools

.PHONY: help deps qemu kernel kmod libdmae guest-tools host-tools initramfs test \
	demo bench bench-arm64 devbench filebench backendbench profile check-style clean distclean qemu-fuzz debug-guest fuzz \
	test-loaded qemu-gcov coverage-device arm64 demo-arm64 install uninstall man

help:
	@sed -n 's/^#   //p' Makefile
	@echo "  make deps         apt-get install what the build needs (idempotent)"
	@echo "  make qemu         build qemu-system-x86_64 with the dma-engine device"
	@echo "  make kmod         build the kernel module for Debian's guest kernel"
	@echo "  make libdmae      build the user library (liburing-ext/; see its README)"
	@echo "  make initramfs    guest kernel, module, tests and tools for the VM"
	@echo "  make arm64        the arm64 guest (virt, SMMUv3): kernel, modules, tools, initramfs"
	@echo "  make demo-arm64   the seed's copy_size demo on arm64 virt + SMMUv3, with its trace"
	@echo "  make bench-arm64  the benchmark sweep on arm64 virt (SMMUv3 for IOMMU on)"
	@echo "  make devbench     device model copy bandwidth against host memcpy"
	@echo "  make backendbench the copy service on its native and its dmaengine backend, one engine"
	@echo "  make profile      where a 4 KiB registered copy spends its time (tracepoints, both IOMMU modes)"
	@echo "  make filebench    file copies 64 KiB-256 MiB, tmpfs and ext4: engine-fd against the kernel's"
	@echo "  make qemu-fuzz    qemu-fuzz-x86_64 (clang, libFuzzer, ASan, UBSan)"
	@echo "  make qemu-gcov    qemu-system-x86_64 with gcov, for coverage-device"
	@echo "  make coverage-device  device model line/branch coverage: qtests + a guest run"
	@echo "  make debug-guest  the debug guest kernel (cached per machine) and its initramfs"
	@echo "  make test-loaded  make test with stress-ng keeping both host cores busy"
	@echo "  make check-style  checkpatch (kernel and QEMU) on our sources"
	@echo "  make install      libdmae, headers, pkg-config, dmaectl, udev rule, DKMS source (PREFIX, DESTDIR)"
	@echo "  make uninstall    remove what make install put there"
	@echo "  make man          the man pages into build/man (libdmae's from its header by kernel-doc)"
	@echo "  make clean        remove build outputs but keep the QEMU build"
	@echo "  make distclean    remove build/ entirely"

deps:
	@bash scripts/deps.sh

qemu: deps
	@bash scripts/build-qemu.sh

kernel: deps
	@bash vm/fetch-kernel.sh

kmod: deps
	@bash scripts/build-kmod.sh

$(GUEST_BIN):
	@mkdir -p $@

$(LIBDMAE): $(LIBDMAE_DEPS)
	@echo "  LIB libdmae"
	@$(MAKE) --no-print-directory -s -C liburing-ext O=$(BUILD)/liburing-ext

$(GUEST_BIN)/%: %.c $(LIBDMAE) tests/guest/tools/tap.h $(wildcard demos/include/*.h) | $(GUEST_BIN)
	@echo "  CC (guest) $*"
	@$(CC) $(GUEST_CFLAGS) -o $@ $< $(LIBDMAE) -luring -pthread

# The shared ring's programs, one per feature (tests/guest/tools/ring/)
$(GUEST_BIN)/ring-%: tests/guest/tools/ring/ring-%.c tests/guest/tools/ring/ring.h $(LIBDMAE) tests/guest/tools/tap.h | $(GUEST_BIN)
	@echo "  CC (guest) ring-$*"
	@$(CC) $(GUEST_CFLAGS) -Itests/guest/tools -o $@ $< $(LIBDMAE) -luring -pthread

$(GUEST_BIN)/dmae-bench: $(BENCH_SRCS) $(wildcard bench/*.h) $(wildcard demos/include/*.h) $(LIBDMAE) | $(GUEST_BIN)
	@echo "  CC (guest) dmae-bench"
	@$(CC) $(GUEST_CFLAGS) -o $@ $(BENCH_SRCS) $(LIBDMAE) -luring -pthread

libdmae: $(LIBDMAE)

guest-tools: deps
	@$(MAKE) --no-print-directory $(GUEST_BINS)

$(HOST_BIN):
	@mkdir -p $@

$(HOST_BIN)/%: %.c | $(HOST_BIN)
	@echo "  CC (host) $*"
	@$(CC) $(HOST_CFLAGS) -o $@ $<

host-tools:
	@$(MAKE) --no-print-directory $(HOST_BINS)

initramfs: kernel kmod guest-tools
	@bash vm/mkinitramfs.sh $(BUILD)/initramfs.cpio $(GUEST_BIN) \
		kmod/dmae_svc.ko kmod/dma_engine.ko $(BUILD)/dmatest/dmatest.ko \
		$(BUILD)/testmod/dmae_delay.ko

qemu-fuzz: qemu
	@bash scripts/build-qemu-fuzz.sh

qemu-gcov: qemu
	@bash scripts/build-qemu-gcov.sh

# Line and branch coverage of qemu-device/*.c: the qtests and one guest
# suite run (IOMMU on) under the gcov build. make test runs the qtest part.
coverage-device: qemu-gcov initramfs
	@bash scripts/device-coverage.sh --guest

debug-guest: initramfs
	@bash scripts/build-debug-guest.sh

# The seed's platform: Debian's arm64 kernel on QEMU virt (SMMUv3).
arm64: qemu kernel
	@bash scripts/build-arm64.sh

test: qemu qemu-gcov initramfs qemu-fuzz debug-guest arm64
	@bash tests/run-all.sh

# The suite must not depend on the host's speed: the same run with both
# host cores kept busy.
test-loaded: qemu qemu-gcov initramfs qemu-fuzz debug-guest arm64
	@stress-ng --cpu 2 --timeout 0 --quiet & p=$$!; \
	bash tests/run-all.sh; rc=$$?; kill $$p; exit $$rc

# FUZZ_RUNS inputs for each device machine (about six generic-fuzz
# operations an input; FUZZ_DEVICE_OPS in all at least), FUZZ_OPS uapi operations on
# the debug kernel (IOMMU strict), and dmatest polled with 4 threads on
# each of 6 channels, FUZZ_DMATEST iterations a thread, on the stock kernel
# without an IOMMU and on the debug kernel with one (2 x 50 400 tests).
FUZZ_RUNS ?= 100000
FUZZ_DEVICE_OPS ?= 1000000
FUZZ_OPS ?= 1000000
FUZZ_DMATEST ?= 2100
fuzz: qemu initramfs qemu-fuzz debug-guest
	@FUZZ_PARALLEL=1 FUZZ_DIR=$(BUILD)/fuzz-campaign FUZZ_MIN_OPS=$(FUZZ_DEVICE_OPS) \
		bash scripts/fuzz-device.sh $(FUZZ_RUNS)
	@GUEST_TIMEOUT=7200 GUEST_FILE_TIMEOUT=7100 GUEST_APPEND="dmae.dmatest_soak=$(FUZZ_DMATEST)" \
		bash tests/guest-suite.sh off engine stock
	@GUEST_TIMEOUT=7200 GUEST_FILE_TIMEOUT=7100 GUEST_APPEND="dmae.dmatest_soak=$(FUZZ_DMATEST)" \
		bash tests/guest-suite.sh on engine debug
	@GUEST_TIMEOUT=7200 GUEST_FILE_TIMEOUT=7100 GUEST_APPEND="dmae.fuzz_ops=$(FUZZ_OPS)" \
		bash tests/guest-suite.sh on ring debug

demo: qemu initramfs host-tools
	@bash demos/run-demo.sh

# The seed's copy_size demo on the seed's platform: arm64 virt, SMMUv3,
# with QEMU's smmuv3 trace beside the driver's log.
demo-arm64: qemu arm64
	@bash demos/run-seed-arm64.sh

bench: qemu initramfs host-tools
	@bash bench/run-bench.sh --full

# The same sweep on the seed's platform (arm64 virt; SMMUv3 for IOMMU on).
# Not "make bench ARCH=arm64": ARCH would reach kbuild's sub-makes.
bench-arm64: qemu arm64 host-tools
	@bash bench/run-bench.sh --full --arch arm64

devbench: qemu initramfs host-tools
	@bash demos/run-devbench.sh

filebench: qemu initramfs
	@bash bench/run-filebench.sh

backendbench: qemu initramfs
	@bash bench/run-backendbench.sh

profile: qemu initramfs
	@bash bench/run-profile.sh

# make install [PREFIX=/usr/local] [DESTDIR=]: the library (headers in
# include/libdmae/, pkg-config), dmaectl, the udev rule for group dmae, and the
# modules' source with a dkms.conf in /usr/src/dma-engine-VERSION.
PREFIX ?= /usr/local
DMAE_VERSION := $(shell sed -n 's/^VERSION := //p' liburing-ext/Makefile)
DKMS_SRC := $(DESTDIR)/usr/src/dma-engine-$(DMAE_VERSION)
# dmaectl for this machine, linked with libdmae.a (no run-time dependency)
$(HOST_BIN)/dmaectl: tools/dmaectl.c $(LIBDMAE) $(wildcard demos/include/*.h) | $(HOST_BIN)
	@echo "  CC (host) dmaectl"
	@$(CC) $(HOST_CFLAGS) -Iuapi -Iliburing-ext/include -Idemos/include -o $@ $< $(LIBDMAE)

# The man pages: kernel-doc's from libdmae.h, and man/'s.
man:
	@bash scripts/build-man.sh $(BUILD)/man

install: $(LIBDMAE) $(HOST_BIN)/dmaectl man
	@$(MAKE) --no-print-directory -s -C liburing-ext O=$(BUILD)/liburing-ext \
		PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) install
	@install -D -m 755 $(HOST_BIN)/dmaectl $(DESTDIR)$(PREFIX)/bin/dmaectl
	@for d in man1 man3 man4; do install -d $(DESTDIR)$(PREFIX)/share/man/$$d && \
		install -m 644 $(BUILD)/man/$$d/* $(DESTDIR)$(PREFIX)/share/man/$$d/ || exit 1; done
	@install -D -m 644 packaging/udev/60-dma-engine.rules \
		$(DESTDIR)/etc/udev/rules.d/60-dma-engine.rules
	@rm -rf $(DKMS_SRC)
	@for f in $$(cd $(CURDIR) && find kmod include/hw uapi -type f \
		\( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) ! -name '*.mod.c'); do \
		install -D -m 644 $$f $(DKMS_SRC)/$$f || exit 1; done
	@sed 's/@VERSION@/$(DMAE_VERSION)/g' packaging/dkms/dkms.conf.in >$(DKMS_SRC)/dkms.conf
	@echo "installed libdmae $(DMAE_VERSION) under $(DESTDIR)$(PREFIX), the udev rule, and $(DKMS_SRC)"

uninstall:
	@$(MAKE) --no-print-directory -s -C liburing-ext O=$(BUILD)/liburing-ext \
		PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) uninstall
	rm -f $(DESTDIR)/etc/udev/rules.d/60-dma-engine.rules $(DESTDIR)$(PREFIX)/bin/dmaectl
	@for f in $(BUILD)/man/man*/*; do rm -f $(DESTDIR)$(PREFIX)/share/man/$${f#$(BUILD)/man/}; done
	rm -rf $(DKMS_SRC)

check-style: deps
	@bash scripts/check-style.sh

clean:
	@$(MAKE) --no-print-directory -C kmod clean >/dev/null 2>&1 || true
	rm -rf $(GUEST_BIN) $(HOST_BIN) $(BUILD)/initramfs.cpio $(BUILD)/logs

distclean: clean
	rm -rf $(BUILD)
