#!/bin/sh
# The random fuzzer of the whole uapi (tests/guest/tools/uapi-fuzz.c), a
# bounded slice: DMAE_FUZZ_OPS operations (make fuzz asks for a million),
# on the MSI-X engine and on the INTx one. Its own invariants, then the
# kernel log (checked by the suite) and the pinned pages. First its
# generator: no plain address it draws may point into the fuzzer's own
# memory (the engine writes where it is told). DMAE_FUZZ_ARGS: more
# options ("-g": the .bss guard and operation log; "-m0x3ff": kinds).
. /tests/lib.sh
ensure_module
ops=${DMAE_FUZZ_OPS:-20000}
seed=${DMAE_FUZZ_SEED:-$(date +%s)}

check "uapi-fuzz: no drawn address points into the fuzzer's own memory (seed $seed)" \
	uapi-fuzz -T 200000 -s "$seed"
fuzz() {
	uapi-fuzz ${DMAE_FUZZ_ARGS:-} -n "$1" -s "$2" "$3" >/tmp/uapi-fuzz.out 2>&1
	rc=$?
	# on failure the report (with -g: the guard, the last operations)
	if [ $rc = 0 ]; then tail -n 1 /tmp/uapi-fuzz.out; else tail -n 80 /tmp/uapi-fuzz.out; fi
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
