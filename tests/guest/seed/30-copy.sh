#!/bin/sh
# copy_size: copies of driver-generated data through the device, checked.
. /tests/lib.sh

devs=$(dmae_devices)
dev=$(echo "$devs" | head -n1)

for d in $devs; do
	for n in 1 7 4095 4096 65536 65537 131072 1048576 2097152; do
		check "${d##*/}: copy_size $n" expect_eq OK wr "$d/copy_size" "$n"
	done
done

before=$(dmae_irq_count)
check "100 copies in a row" sh -c "
	i=0
	while [ \$i -lt 100 ]; do
		wr $dev/copy_size \$((i * 997 % 20000 + 1)) >/dev/null || exit 1
		i=\$((i + 1))
	done"
after=$(dmae_irq_count)
check "each copy completed by an interrupt ($before -> $after)" \
	test "$after" -ge $((before + 100))

# Concurrent writers on both functions: serialised, all succeed.
conc() {
	pids=
	for w in 1 2 3 4; do
		for d in $devs; do
			(
				i=0
				while [ $i -lt 20 ]; do
					wr "$d/copy_size" $((w * 4099 + i * 131)) >/dev/null ||
						{ echo "writer $w on $d failed"; exit 1; }
					i=$((i + 1))
				done
			) &
			pids="$pids $!"
		done
	done
	rc=0
	for p in $pids; do
		wait "$p" || rc=1
	done
	return $rc
}
check "8 concurrent writers, 160 copies" conc
