/* fuzz_theorem.c -- libFuzzer harness for the theorem-file parser
 * (cp_theorem_parse), built and run by `make fuzz`.  The target and its
 * invariants are in tests/fuzz_targets.h; tests/test_fuzz_regressions.c
 * replays the corpus and every regression input through the same code. */
#include "fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return cp_fuzz_theorem_one(data, size);
}
