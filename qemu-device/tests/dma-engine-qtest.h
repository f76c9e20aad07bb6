/*
 * Helpers shared by the dma-engine qtests.
 *
 * Copyright (c) 2026 The dma-engine authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef DMA_ENGINE_QTEST_H
#define DMA_ENGINE_QTEST_H

#include "qemu/bitops.h"
#include "qemu/units.h"
#include "libqtest.h"
#include "libqos/pci-pc.h"
#include "hw/dma_engine_regs.h"

#define DEVFN           QPCI_DEVFN(4, 0)
/* q35's MMCONFIG window (PCIEXBAR default), and our function in it */
#define Q35_ECAM_BASE   0xb0000000ULL
#define OUR_ECAM        (Q35_ECAM_BASE + (DEVFN << 12))
#define RAM_SIZE        (256 * MiB)
#define RING_ADDR       (1 * MiB)
#define COMPL_ADDR      (2 * MiB)
#define SG_ADDR         (3 * MiB)
#define SRC_ADDR        (16 * MiB)
#define DST_ADDR        (96 * MiB)
#define MSI_ADDR        (200 * MiB)
#define MSI_DATA        0x4d53
#define BIG_LEN         (64 * MiB)
#define GUARD           64
#define UNMAPPED_ADDR   0x7ff000000000ULL
#define TIMEOUT_US      (10 * G_USEC_PER_SEC)
/* Where ch_setup() puts channel c's rings */
#define CH_RING(c)      (RING_ADDR + (c) * 64 * KiB)
#define CH_COMPL(c)     (COMPL_ADDR + (c) * 64 * KiB)

typedef struct Fixture {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar bar;
} Fixture;

/* A descriptor as the tests write it */
typedef struct Desc {
    uint8_t op;
    uint16_t flags;
    uint32_t len;
    uint64_t src;
    uint64_t dst;
    uint32_t src_nsg;
    uint32_t dst_nsg;
    uint64_t pattern;
    uint64_t cookie;
} Desc;

typedef struct Compl {
    uint64_t cookie;
    uint32_t bytes;
    uint32_t result;
    uint64_t fault_addr;
    uint8_t status;
} Compl;

void fixture_start(Fixture *f, const char *props);
void fixture_stop(Fixture *f);
uint64_t rd64(Fixture *f, uint64_t reg);
uint32_t rd32(Fixture *f, uint64_t reg);
void wr64(Fixture *f, uint64_t reg, uint64_t val);
void wr32(Fixture *f, uint64_t reg, uint32_t val);

void fill(Fixture *f, uint64_t addr, size_t len, uint8_t seed);
void poison(Fixture *f, uint64_t addr, size_t len);
void assert_copied(Fixture *f, uint64_t src, uint64_t dst, size_t len);
void assert_untouched(Fixture *f, uint64_t addr, size_t len);

/* MSI aimed at guest RAM, so that a message shows as a write there */
void msi_enable(Fixture *f);
/* MSI-X likewise: vector v writes MSI_DATA + v at MSI_ADDR + 4 * v */
void msix_enable(Fixture *f, unsigned nvec);
uint32_t msg_read(Fixture *f, unsigned vector);
/* msg_read() until a message is there, for up to 5 s */
uint32_t msg_wait(Fixture *f, unsigned vector);
void msg_clear(Fixture *f, unsigned nvec);

/* Channels */
uint64_t ch_reg(unsigned c, uint64_t reg);
uint32_t ch_rd32(Fixture *f, unsigned c, uint64_t reg);
void ch_wr32(Fixture *f, unsigned c, uint64_t reg, uint32_t val);
void ch_setup(Fixture *f, unsigned c, uint32_t size);
void desc_put(Fixture *f, unsigned c, uint32_t n, const Desc *d);
void compl_get(Fixture *f, unsigned c, uint32_t n, Compl *cp);
void sg_put(Fixture *f, uint64_t addr, const uint64_t *addrs,
            const uint32_t *lens, unsigned n);
void ch_submit(Fixture *f, unsigned c, uint32_t tail);
void ch_wait_head(Fixture *f, unsigned c, uint32_t head);
void ch_wait_busy(Fixture *f, unsigned c);
void ch_wait_idle(Fixture *f, unsigned c);
/* Register the tests of dma-engine-{chan,reach,inject,unplug,cover}-test.c */
void dma_engine_chan_tests(void);
void dma_engine_reach_tests(void);
void dma_engine_inject_tests(void);
void dma_engine_unplug_tests(void);
void dma_engine_cover_tests(void);

uint32_t ch_run(Fixture *f, unsigned c, uint32_t n, const Desc *d,
                Compl *cp);

/* Map q35's ECAM, as firmware does (MCH PCIEXBAR, 256 MiB, enabled). */
void ecam_enable(Fixture *f);

#endif
