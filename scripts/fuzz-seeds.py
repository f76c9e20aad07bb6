#!/usr/bin/env python3
"""Seed inputs for QEMU's generic-fuzz on the dma-engine device.

generic-fuzz reads its input as commands separated by "FUZZ": an opcode
byte (modulo the number of commands) and the command's C struct (with its
padding). Starting from nothing, libFuzzer rarely finds the sequence that
starts a copy (ring base, size, enable, doorbell, a descriptor in memory);
these seeds give it each way the engine moves data, so that mutation
starts from inputs that reach the DMA paths. Memory the device reads that
no command wrote is filled from the DMA patterns, which here hold a
descriptor.

    fuzz-seeds.py OUTDIR
"""
import os
import struct
import sys

SEP = b"FUZZ"
OP_WRITE, OP_ADD_DMA_PATTERN, OP_CLOCK_STEP = 3, 7, 9
QUAD, LONG = 3, 2

SEED_SRC, SEED_DST, SEED_LEN, SEED_CTRL = 0x1000, 0x1008, 0x1010, 0x1018
CH = 0x2000
RING_BASE, COMPL_BASE, RING_SIZE, TAIL, CTRL = 0x00, 0x08, 0x10, 0x14, 0x1c
# the fault injection block (x-fault-inject=on): FAIL, STALL, DROP_IRQ,
# CORRUPT countdowns
INJ = 0x3000


def write(base, offset, value, size=QUAD):
    # struct { u8 size; u8 base; [2 pad]; u32 offset; u64 value; }
    return bytes([OP_WRITE]) + struct.pack("<BBxxIQ", size, base, offset,
                                           value)


def pattern(data, index=0, stride=0):
    return bytes([OP_ADD_DMA_PATTERN]) + struct.pack("<BB", index,
                                                     stride) + data


def desc(op, flags, length, src, dst, src_nsg=0, dst_nsg=0, pat=0,
         cookie=1):
    return struct.pack("<BxHIQQIIQQ16x", op, flags, length, src, dst,
                       src_nsg, dst_nsg, pat, cookie)


def sg(entries):
    return b"".join(struct.pack("<QI4x", a, n) for a, n in entries)


def seed_copy(base, length):
    return SEP.join([
        pattern(bytes(range(1, 65))),
        write(base, SEED_SRC, 0x100000),
        write(base, SEED_DST, 0x200000),
        write(base, SEED_LEN, length << 32),
        write(base, SEED_CTRL, 1),
    ])


def chan_run(base, descriptor, ch=0, extra=b""):
    r = CH + ch * 0x100
    cmds = [pattern(descriptor + extra),
            write(base, r + RING_BASE, 0x300000),
            write(base, r + COMPL_BASE, 0x310000),
            write(base, r + RING_SIZE, 8, LONG),
            write(base, r + CTRL, 1, LONG),
            write(base, r + TAIL, 1, LONG),
            bytes([OP_CLOCK_STEP])]
    return SEP.join(cmds)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    seeds = {}
    # generic-fuzz numbers the device's regions in an order of its own:
    # one seed per plausible index of BAR0.
    for b in range(4):
        seeds[f"seed-copy-{b}"] = seed_copy(b, 0x3000)
        seeds[f"chan-copy-{b}"] = chan_run(
            b, desc(1, 0x1, 0x2000, 0x100000, 0x200000))
        seeds[f"chan-fill-{b}"] = chan_run(
            b, desc(2, 0x1, 0x1800, 0, 0x200000, pat=0x1122334455667788))
        seeds[f"chan-compare-{b}"] = chan_run(
            b, desc(3, 0x1, 0x1000, 0x100000, 0x200000))
        seeds[f"chan-crc-{b}"] = chan_run(
            b, desc(4, 0x1, 0x1000, 0x100000, 0x200000), ch=1)
        # SG lists on both sides (flags IRQ|SRC_SG|DST_SG); the lists are
        # read from the pattern too, so they hold addresses and lengths.
        seeds[f"chan-sg-{b}"] = chan_run(
            b, desc(1, 0x1 | 0x4 | 0x8, 0x2000, 0x300040, 0x300040, 2, 2),
            extra=sg([(0x100000, 0x1000), (0x180000, 0x1000)]))
        # each injected fault armed for the first event, then a copy
        for k, kind in enumerate(["fail", "stall", "drop-irq", "corrupt"]):
            seeds[f"inject-{kind}-{b}"] = SEP.join([
                write(b, INJ + 4 * k, 1, LONG),
                chan_run(b, desc(1, 0x1, 0x1000, 0x100000, 0x200000))])
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
