# Devices built into our qemu-system-aarch64, the seed's own platform: the
# virt machine (GICv3 with its ITS, the SMMUv3, the generic PCIe host
# bridge) and our DMA engine on its root bus.
CONFIG_ARM_VIRT=y
# the GICv3 and its ITS, emulated (a "default y" that our minimal build
# without default devices does not apply)
CONFIG_ARM_GICV3_TCG=y
CONFIG_DMA_ENGINE=y
# QEMU 7.2's target/arm links the M-profile helpers (NVIC, semihosting)
# whatever the board: without ARM_V7M qemu-system-aarch64 does not link.
CONFIG_ARM_V7M=y
