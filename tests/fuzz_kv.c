/* fuzz_kv.c -- libFuzzer harness for the key = value parameters: the
 * command-line form (cp_kv_add_arg), file-style entries (cp_kv_set), the
 * --config reader, validation, the typed getters, cp_parse_rat/int and
 * cp_model_from_kv.  Built and run by `make fuzz`; the target and its
 * invariants are in tests/fuzz_targets.h (input format there). */
#include "fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return cp_fuzz_kv_one(data, size);
}
