# dma-engine: a memory-copy offload service (QEMU device, Linux driver,
# shared ring, library). See README.md.
#
#   make test    install what is missing, build, run every test
#   make demo    install what is missing, build, run the main job
#   make help    all targets

BUILD ?= $(CURDIR)/build
export BUILD
SHELL := /bin/bash

GUEST_BIN := $(BUILD)/guest-bin
GUEST_SRCS := $(wildcard tests/guest/tools/*.c demos/tools/*.c)
GUEST_BINS := $(addprefix $(GUEST_BIN)/,$(basename $(notdir $(GUEST_SRCS))))
GUEST_CFLAGS := -std=c11 -O2 -Wall -Wextra -Werror -static \
	-Iuapi -Iliburing-ext/include
vpath %.c tests/guest/tools demos/tools

.PHONY: help deps qemu kernel kmod guest-tools initramfs test demo \
	check-style clean distclean

help:
	@sed -n 's/^#   //p' Makefile
	@echo "  make deps         apt-get install what the build needs (idempotent)"
	@echo "  make qemu         build qemu-system-x86_64 with the dma-engine device"
	@echo "  make kmod         build the kernel module for Debian's guest kernel"
	@echo "  make initramfs    guest kernel, module, tests and tools for the VM"
	@echo "  make check-style  checkpatch (kernel and QEMU) on our sources"
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

$(GUEST_BIN)/%: %.c | $(GUEST_BIN)
	@echo "  CC (guest) $*"
	@$(CC) $(GUEST_CFLAGS) -o $@ $<

guest-tools: deps
	@$(MAKE) --no-print-directory $(GUEST_BINS)

initramfs: kernel kmod guest-tools
	@bash vm/mkinitramfs.sh $(BUILD)/initramfs.cpio $(GUEST_BIN) \
		kmod/dma_engine.ko $(BUILD)/dmatest/dmatest.ko

test: qemu initramfs
	@bash tests/run-all.sh

demo: qemu initramfs
	@bash demos/run-demo.sh

check-style: deps
	@bash scripts/check-style.sh

clean:
	@$(MAKE) --no-print-directory -C kmod clean >/dev/null 2>&1 || true
	rm -rf $(GUEST_BIN) $(BUILD)/initramfs.cpio $(BUILD)/logs

distclean: clean
	rm -rf $(BUILD)
