#!/bin/sh
# The random fuzzer of the whole uapi (tests/guest/tools/uapi-fuzz.c), a
# bounded slice: DMAE_FUZZ_OPS operations (make fuzz asks for a million),
# on the MSI-X engine and on the INTx one. Its own invariants, then the
# kernel log (checked by the suite) and the pinned pages.
. /tests/lib.sh
ensure_module
ops=${DMAE_FUZZ_OPS:-20000}
seed=${DMAE_FUZZ_SEED:-$(date +%s)}

fuzz() {
	uapi-fuzz -n "$1" -s "$2" "$3" >/tmp/uapi-fuzz.out 2>&1
	rc=$?
	tail -n 1 /tmp/uapi-fuzz.out
	return $rc
}
check "uapi-fuzz: $ops operations on /dev/dma_engine0 (seed $seed)" \
	fuzz "$ops" "$seed" /dev/dma_engine0
grep '^uapi-fuzz: [0-9]* operations' /tmp/uapi-fuzz.out | sed 's/^/# /'
check "pinned pages balanced after uapi-fuzz on the MSI-X engine" pins_balanced
check "uapi-fuzz: $((ops / 4)) operations on /dev/dma_engine1 (INTx; seed $((seed + 1)))" \
	fuzz "$((ops / 4))" "$((seed + 1))" /dev/dma_engine1
grep '^uapi-fuzz: [0-9]* operations' /tmp/uapi-fuzz.out | sed 's/^/# /'
check "pinned pages balanced after uapi-fuzz on the INTx engine" pins_balanced
