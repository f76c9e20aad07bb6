/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dma-engine: the hardware interface of the emulated PCIe DMA engine.
 *
 * This header is the contract between the device model (QEMU) and the
 * driver (Linux); docs/dma-engine.rst describes every register. It uses
 * only BIT_ULL(), which both QEMU and Linux define.
 */
#ifndef DMA_ENGINE_REGS_H
#define DMA_ENGINE_REGS_H

#define DMAE_PCI_VENDOR_ID      0x1234
#define DMAE_PCI_DEVICE_ID      0x3456
#define DMAE_PCI_REVISION       0x10
#define DMAE_PCI_SUBVENDOR_ID   0x1af4
#define DMAE_PCI_SUBDEVICE_ID   0x1100
#define DMAE_BAR0_SIZE          0x4000

/* Identification block, BAR0 + 0x0000, read-only */
#define DMAE_REG_ID             0x0000  /* 32: DMAE_ID_MAGIC */
#define DMAE_ID_MAGIC           0x45414d44  /* "DMAE" in memory order */
#define DMAE_REG_VERSION        0x0004  /* 32: major << 16 | minor */
#define DMAE_VERSION_MAJOR      1
#define DMAE_VERSION_MINOR      0
#define DMAE_REG_CAP            0x0008  /* 64: DMAE_CAP_* */
#define DMAE_CAP_SEED           BIT_ULL(0)  /* seed register block */
#define DMAE_REG_MAX_XFER       0x0010  /* 32: longest copy, bytes */
#define DMAE_REG_BUF_SIZE       0x0014  /* 32: internal buffer, bytes */

/* Seed block, BAR0 + 0x1000: one copy at a time */
#define DMAE_SEED_SRC           0x1000  /* 64: source bus address */
#define DMAE_SEED_DST           0x1008  /* 64: destination bus address */
#define DMAE_SEED_LEN           0x1010  /* 64: bits 63:32 length */
#define DMAE_SEED_LEN_SHIFT     32
#define DMAE_SEED_CTRL          0x1018  /* 64: control (low) / status (high) */
#define DMAE_CTRL_START         BIT_ULL(0)  /* W1: start a copy */
#define DMAE_CTRL_ABORT         BIT_ULL(1)  /* W1: abort the running copy */
#define DMAE_STS_DONE           BIT_ULL(32)  /* RO/W1C: copy finished */
#define DMAE_STS_ERROR          BIT_ULL(33)  /* RO/W1C: it finished badly */
#define DMAE_STS_BUSY           BIT_ULL(34)  /* RO: a copy is running */
#define DMAE_STS_START_IGNORED  BIT_ULL(35)  /* RO/W1C: start while busy */
#define DMAE_SEED_ERR           0x1020  /* 32: DMAE_ERR_* of the last copy */
#define DMAE_SEED_ERR_ADDR      0x1028  /* 64: bus address that faulted */
#define DMAE_SEED_BYTES         0x1030  /* 32: bytes the last copy moved */
#define DMAE_SEED_END           0x1038

/* Error codes, shared by every block that reports a completion */
#define DMAE_ERR_NONE           0
#define DMAE_ERR_LEN_ZERO       1  /* length 0 */
#define DMAE_ERR_LEN_MAX        2  /* length above DMAE_REG_MAX_XFER */
#define DMAE_ERR_BUS_MASTER     3  /* bus mastering off at start */
#define DMAE_ERR_READ           4  /* reading the source faulted */
#define DMAE_ERR_WRITE          5  /* writing the destination faulted */
#define DMAE_ERR_ABORTED        6  /* software aborted the copy */

#endif /* DMA_ENGINE_REGS_H */
