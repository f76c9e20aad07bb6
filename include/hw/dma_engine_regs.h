/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dma-engine: the hardware interface of the emulated PCIe DMA engine.
 *
 * This header is the contract between the device model (QEMU) and the
 * driver (Linux); docs/dma-engine.rst describes every register. It is
 * self-contained: it relies on nothing the includer defines.
 */
#ifndef DMA_ENGINE_REGS_H
#define DMA_ENGINE_REGS_H

#define DMAE_BIT(n)             (1ULL << (n))  /* 64-bit registers */
#define DMAE_BITL(n)            (1UL << (n))   /* the others, as BIT() */

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
#define DMAE_VERSION_MINOR      2
#define DMAE_REG_CAP            0x0008  /* 64: DMAE_CAP_* */
#define DMAE_CAP_SEED           DMAE_BIT(0)  /* seed register block */
#define DMAE_CAP_CHANNELS       DMAE_BIT(1)  /* descriptor-ring channels */
#define DMAE_CAP_SG             DMAE_BIT(2)  /* scatter-gather lists */
#define DMAE_CAP_MSIX           DMAE_BIT(3)  /* MSI-X table in BAR2 */
#define DMAE_CAP_FILL           DMAE_BIT(4)  /* DMAE_OP_FILL */
#define DMAE_CAP_COMPARE        DMAE_BIT(5)  /* DMAE_OP_COMPARE */
#define DMAE_CAP_CRC32C         DMAE_BIT(6)  /* DMAE_OP_COPY_CRC32C */
#define DMAE_CAP_INJECT         DMAE_BIT(7)  /* fault injection block */
#define DMAE_REG_MAX_XFER       0x0010  /* 32: longest copy, bytes */
#define DMAE_REG_BUF_SIZE       0x0014  /* 32: internal buffer, bytes */
#define DMAE_REG_NUM_CHAN       0x0018  /* 32: channels */
#define DMAE_REG_RING_MAX       0x001c  /* 32: most ring entries */
#define DMAE_REG_MAX_SG         0x0020  /* 32: most entries per SG list */
#define DMAE_REG_IRQ_STATUS     0x0028  /* 32: RO/W1C, see below */
#define DMAE_IRQ_CHAN(c)        DMAE_BITL(c)  /* channel c has completions */
#define DMAE_IRQ_ERROR          DMAE_BITL(31) /* a channel halted */

/* Seed block, BAR0 + 0x1000: one copy at a time */
#define DMAE_SEED_SRC           0x1000  /* 64: source bus address */
#define DMAE_SEED_DST           0x1008  /* 64: destination bus address */
#define DMAE_SEED_LEN           0x1010  /* 64: bits 63:32 length */
#define DMAE_SEED_LEN_SHIFT     32
#define DMAE_SEED_CTRL          0x1018  /* 64: control (low) / status (high) */
#define DMAE_CTRL_START         DMAE_BIT(0)  /* W1: start a copy */
#define DMAE_CTRL_ABORT         DMAE_BIT(1)  /* W1: abort the running copy */
#define DMAE_STS_DONE           DMAE_BIT(32)  /* RO/W1C: copy finished */
#define DMAE_STS_ERROR          DMAE_BIT(33)  /* RO/W1C: it finished badly */
#define DMAE_STS_BUSY           DMAE_BIT(34)  /* RO: a copy is running */
#define DMAE_STS_START_IGNORED  DMAE_BIT(35)  /* RO/W1C: start while busy */
#define DMAE_SEED_ERR           0x1020  /* 32: DMAE_ERR_* of the last copy */
#define DMAE_SEED_ERR_ADDR      0x1028  /* 64: bus address that faulted */
#define DMAE_SEED_BYTES         0x1030  /* 32: bytes the last copy moved */
#define DMAE_SEED_END           0x1038

/* Channel c's registers: BAR0 + DMAE_CHAN_BASE + c * DMAE_CHAN_STRIDE */
#define DMAE_CHAN_BASE          0x2000
#define DMAE_CHAN_STRIDE        0x100
#define DMAE_CHAN_MAX           16
#define DMAE_CH_RING_BASE       0x00    /* 64: descriptor ring, 64-aligned */
#define DMAE_CH_COMPL_BASE      0x08    /* 64: completion ring, 32-aligned */
#define DMAE_CH_RING_SIZE       0x10    /* 32: entries, power of two */
#define DMAE_CH_TAIL            0x14    /* 32: doorbell, descriptors given */
#define DMAE_CH_HEAD            0x18    /* 32: RO, descriptors completed */
#define DMAE_CH_CTRL            0x1c    /* 32: DMAE_CTRL_* (W1 bits) */
#define DMAE_CHCTRL_ENABLE      DMAE_BITL(0)  /* RW: channel runs */
#define DMAE_CHCTRL_ABORT       DMAE_BITL(1)  /* W1: stop now, halt */
#define DMAE_CHCTRL_RESET       DMAE_BITL(2)  /* W1: disable, clear, head = 0 */
#define DMAE_CH_STATUS          0x20    /* 32: RO */
#define DMAE_CHSTS_ENABLED      DMAE_BITL(0)
#define DMAE_CHSTS_BUSY         DMAE_BITL(1)  /* holds a descriptor */
#define DMAE_CHSTS_HALTED       DMAE_BITL(2)  /* stopped by an error or abort */
#define DMAE_CHSTS_ERR_SHIFT    8       /* bits 15:8: DMAE_CHERR_* */
#define DMAE_CHSTS_ERR_MASK     0xff00
#define DMAE_CH_COAL            0x24    /* 32: interrupt coalescing */
#define DMAE_COAL_COUNT_MASK    0xffff  /* 15:0 completions per irq */
#define DMAE_COAL_USEC_SHIFT    16      /* 31:16 microseconds */
#define DMAE_CH_ERR_ADDR        0x28    /* 64: RO, address of a halt */
#define DMAE_CH_END             0x30

/*
 * Fault injection, BAR0 + 0x3000, only with DMAE_CAP_INJECT (a test
 * device). Each countdown register: write N to make the Nth event of its
 * kind from now on, on any channel, go wrong once (0 disarms); reads give
 * what is left of the countdown (0 once it fired).
 */
#define DMAE_INJ_FAIL           0x3000  /* 32: descriptor fails, INJECTED */
#define DMAE_INJ_STALL          0x3004  /* 32: descriptor hangs until ABORT */
#define DMAE_INJ_DROP_IRQ       0x3008  /* 32: interrupt message not sent */
#define DMAE_INJ_CORRUPT        0x300c  /* 32: completion's COOKIE inverted */
#define DMAE_INJ_FIRED          0x3010  /* 32: RO, byte k: kind k fired */
#define DMAE_INJ_END            0x3018
#define DMAE_INJ_KIND(reg)      (((reg) - DMAE_INJ_FAIL) / 4)  /* FIRED byte */

/* Channel errors (DMAE_CH_STATUS bits 15:8); the channel halts */
#define DMAE_CHERR_NONE         0
#define DMAE_CHERR_RING_ALIGN   1       /* a ring base is misaligned */
#define DMAE_CHERR_RING_SIZE    2       /* not a power of 2 in range */
#define DMAE_CHERR_BAD_TAIL     3       /* TAIL - HEAD > RING_SIZE */
#define DMAE_CHERR_DESC_READ    4       /* fetching a descriptor faulted */
#define DMAE_CHERR_COMPL_WRITE  5       /* writing a completion faulted */
#define DMAE_CHERR_ABORTED      6       /* CTRL.ABORT */

/*
 * Descriptor: 64 bytes, little-endian, in the ring at RING_BASE.
 * A list flag (SRC_SG, DST_SG) makes the address that of an array of
 * struct dmae_hw_sg in host memory and the count its number of entries.
 */
#define DMAE_DESC_SIZE          64
#define DMAE_DESC_OP            0x00    /* 8: DMAE_OP_* */
#define DMAE_DESC_FLAGS         0x02    /* 16: DMAE_DF_* */
#define DMAE_DESC_LEN           0x04    /* 32: bytes */
#define DMAE_DESC_SRC           0x08    /* 64: address or SG list */
#define DMAE_DESC_DST           0x10    /* 64: address or SG list */
#define DMAE_DESC_SRC_NSG       0x18    /* 32: entries of the SRC list */
#define DMAE_DESC_DST_NSG       0x1c    /* 32: entries of the DST list */
#define DMAE_DESC_PATTERN       0x20    /* 64: FILL pattern */
#define DMAE_DESC_COOKIE        0x28    /* 64: copied to the completion */

#define DMAE_OP_NOP             0
#define DMAE_OP_COPY            1
#define DMAE_OP_FILL            2       /* DST <- PATTERN repeated */
#define DMAE_OP_COMPARE         3       /* SRC == DST? */
#define DMAE_OP_COPY_CRC32C     4       /* COPY, and CRC32C of the data */
#define DMAE_OP_MAX             4

#define DMAE_DF_IRQ             DMAE_BITL(0)  /* interrupt on completion */
#define DMAE_DF_FENCE           DMAE_BITL(1)  /* only if all before succeeded */
#define DMAE_DF_SRC_SG          DMAE_BITL(2)
#define DMAE_DF_DST_SG          DMAE_BITL(3)
#define DMAE_DF_ALL             0x000f

#define DMAE_SG_SIZE            16      /* 64 addr, 32 len, 32 reserved */

/* Completion record: 32 bytes, same index as its descriptor */
#define DMAE_COMPL_SIZE         32
#define DMAE_COMPL_COOKIE       0x00    /* 64: the descriptor's cookie */
#define DMAE_COMPL_BYTES        0x08    /* 32: bytes done (see docs) */
#define DMAE_COMPL_RESULT       0x0c    /* 32: COMPARE 0/1, CRC32C value */
#define DMAE_COMPL_FAULT_ADDR   0x10    /* 64: the faulting address */
#define DMAE_COMPL_STATUS       0x18    /* 8: DONE | error; written last */
#define DMAE_CS_DONE            0x80
#define DMAE_CS_ERR_MASK        0x7f

/* Error codes, shared by every block that reports a completion */
#define DMAE_ERR_NONE           0
#define DMAE_ERR_LEN_ZERO       1       /* length 0 */
#define DMAE_ERR_LEN_MAX        2       /* length above MAX_XFER */
#define DMAE_ERR_BUS_MASTER     3       /* bus mastering off at start */
#define DMAE_ERR_READ           4       /* reading the source faulted */
#define DMAE_ERR_WRITE          5       /* writing the destination faulted */
#define DMAE_ERR_ABORTED        6       /* software aborted the copy */
#define DMAE_ERR_BAD_OP         7       /* unknown or unoffered opcode */
#define DMAE_ERR_BAD_FLAGS      8       /* unknown flag bits */
#define DMAE_ERR_SG_COUNT       9       /* SG list empty or > MAX_SG */
#define DMAE_ERR_SG_ENTRY       10      /* SG entry of length 0 */
#define DMAE_ERR_SG_READ        11      /* reading an SG list faulted */
#define DMAE_ERR_SG_TOTAL       12      /* list total != LEN */
#define DMAE_ERR_OVERFLOW       13      /* address + length wraps */
#define DMAE_ERR_CANCELED       14      /* FENCE after a failure */
#define DMAE_ERR_INJECTED       15      /* failed by DMAE_INJ_FAIL */

#endif /* DMA_ENGINE_REGS_H */
