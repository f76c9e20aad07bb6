#!/bin/sh
# The dma-engine functions are visible with the seed's identity.
. /tests/lib.sh

devs=$(dmae_devices)
check "three dma-engine functions (MSI-X, INTx-only, MSI) are present" \
	expect_eq 3 sh -c "echo '$devs' | grep -c ."

# cfg DEV OFFSET SIZE: a config-space field as a hex number
cfg() {
	od -An -tx"$3" -j "$2" -N "$3" "$1/config" | tr -d ' '
}

# has_cap DEV ID: the capability list names ID
has_cap() {
	_p=$(cfg "$1" 52 1)
	while [ "$_p" != 00 ] && [ -n "$_p" ]; do
		[ "$(cfg "$1" $((0x$_p)) 1)" = "$2" ] && return 0
		_p=$(cfg "$1" $((0x$_p + 1)) 1)
	done
	return 1
}

bar0_ok() {
	set -- $(head -n1 "$1/resource")
	size=$(($2 - $1 + 1))
	flags=$(($3))
	[ "$size" = 16384 ] || { echo "BAR0 size $size"; return 1; }
	[ $((flags & 0x200)) != 0 ] || { echo "BAR0 not memory"; return 1; }
	[ $((flags & 0x2000)) = 0 ] || { echo "BAR0 prefetchable"; return 1; }
	[ $((flags & 0x100000)) = 0 ] || { echo "BAR0 64-bit"; return 1; }
}

for d in $devs; do
	n=${d##*/}
	check "$n: revision 0x10" expect_eq 0x10 cat "$d/revision"
	check "$n: class 0x00ff00" expect_eq 0x00ff00 cat "$d/class"
	check "$n: subsystem 1af4:1100" \
		expect_eq "0x1af4:0x1100" sh -c "echo \$(cat $d/subsystem_vendor):\$(cat $d/subsystem_device)"
	check "$n: BAR0 is 16 KiB, 32-bit, non-prefetchable" bar0_ok "$d"
	check "$n: PCI Express capability" has_cap "$d" 10
done
msi_and_msix() { has_cap "$1" 05 && has_cap "$1" 11; }
no_msi() { ! has_cap "$1" 05 && ! has_cap "$1" 11; }
first=$DEV_MSIX
check "04.0 has MSI and MSI-X capabilities" msi_and_msix "$first"
check "05.0 has neither MSI nor MSI-X" no_msi "$DEV_INTX"
# The IOMMU group is checked in 20-module.sh, once the driver is bound: on
# arm64 with a device tree the SMMUv3 takes the device only at probe.
