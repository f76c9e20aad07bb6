# Devices built into our qemu-system-x86_64: the q35 machine, the VT-d
# IOMMU, PCIe root ports, the isa-debug-exit port and our DMA engine.
CONFIG_Q35=y
CONFIG_VTD=y
CONFIG_PCIE_PORT=y
CONFIG_ISA_DEBUG=y
CONFIG_DMA_ENGINE=y
