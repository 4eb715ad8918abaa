/* kv.h -- key = value parameters, typed and exact.
 *
 * Every parameter of crossproof (a theorem file's check block, `eval`,
 * `simulate`, `--config` files) is a list of key = value entries checked
 * against a table of key specifications.  Numbers are read exactly: the
 * decimal "0.1" is the rational 1/10, never the nearest double
 * (docs/design.md, "Exact parameters"). */
#ifndef CROSSPROOF_KV_H
#define CROSSPROOF_KV_H

#include <stddef.h>
#include "crossproof/arbcompat.h"

typedef enum {
    CP_KEY_RAT,      /* exact rational: 0.5, 1/3, 2e-3, -4 */
    CP_KEY_INT,      /* integer: 100, 1e5 (must be an exact integer) */
    CP_KEY_WORD,     /* identifier-like word: uniform, lsa, direct */
    CP_KEY_RATLIST,  /* comma-separated rationals */
    CP_KEY_INTLIST,  /* comma-separated integers or ranges: 1..50, 10..1000 step 10 */
    CP_KEY_TEXT      /* free text up to end of line (ids, check names) */
} cp_key_type;

typedef struct {
    const char *name;
    cp_key_type type;
    const char *dflt;   /* default as text; NULL = required */
    const char *help;   /* one line for --help */
} cp_key_spec;

#define CP_KEY_END { NULL, CP_KEY_TEXT, NULL, NULL }

typedef struct {
    char *key;
    char *value;
    int line;           /* line in the origin file; 0 for the command line */
} cp_kv_entry;

typedef struct {
    cp_kv_entry *e;
    int n, cap;
    char origin[256];   /* file name, or "" for the command line */
} cp_kv;

#define CP_ERRLEN 512

void cp_kv_init(cp_kv *kv, const char *origin);
void cp_kv_clear(cp_kv *kv);
/* Most keys one list may hold (a check block, a command line, a --config
 * file): more is an error, so that the linear lookups stay linear. */
#define CP_MAX_KEYS 256
/* Adds or replaces an entry.  Returns 0, -1 when the key is already
 * present and `allow_replace` is 0 (a duplicate key is an error), or -2
 * when the list already holds CP_MAX_KEYS keys. */
int cp_kv_set(cp_kv *kv, const char *key, const char *value, int line, int allow_replace);
const cp_kv_entry *cp_kv_find(const cp_kv *kv, const char *key);
/* Parses "key=value" (command line form).  Returns 0 or -1 with err set;
 * a key given twice is an error, as in files. */
int cp_kv_add_arg(cp_kv *kv, const char *arg, char *err);

/* Checks every entry against `specs`: unknown keys, malformed values.
 * Returns 0, or -1 with a one-line message "origin:line: ..." in err. */
int cp_kv_validate(const cp_kv *kv, const cp_key_spec *specs, char *err);

/* snprintf into an error buffer of CP_ERRLEN bytes; a longer message is
 * cut, which is acceptable for a one-line error. */
void cp_errf(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Formats a one-line error naming the entry's file:line (or the parameter
 * name on the command line). */
void cp_kv_error(char *err, const cp_kv *kv, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Typed getters.  The value is the entry's, or the spec's default.  They
 * return 0, or -1 with err set (missing required key, malformed value). */
int cp_kv_get_rat(fmpq_t out, const cp_kv *kv, const cp_key_spec *specs, const char *key, char *err);
int cp_kv_get_int(slong *out, const cp_kv *kv, const cp_key_spec *specs, const char *key, char *err);
int cp_kv_get_word(const char **out, const cp_kv *kv, const cp_key_spec *specs, const char *key, char *err);
/* Lists: *out is allocated (flint_malloc / fmpq vec), free with
 * flint_free or _fmpq_vec_clear. */
int cp_kv_get_ratlist(fmpq **out, slong *n, const cp_kv *kv, const cp_key_spec *specs, const char *key, char *err);
int cp_kv_get_intlist(slong **out, slong *n, const cp_kv *kv, const cp_key_spec *specs, const char *key, char *err);
/* Whether the key was given explicitly (not defaulted). */
int cp_kv_has(const cp_kv *kv, const char *key);

/* Exact number parsing.  Accepts [+-]digits[.digits][e[+-]digits] and
 * p/q; rejects nan, inf, hex, empty strings and trailing garbage.
 * Returns 0 on success. */
int cp_parse_rat(fmpq_t out, const char *text);
int cp_parse_int(slong *out, const char *text);
/* An integer list: comma-separated items, each "n", "a..b" (a <= b) or
 * "a..b step s" (s >= 1; the values a, a+s, ... <= b).  At most
 * CP_MAX_LIST values.  Returns 0 (with *out allocated by flint_malloc and
 * *n set, when out != NULL), -1 when malformed, -2 when too long. */
#define CP_MAX_LIST 1000000
int cp_parse_intlist(slong **out, slong *n, const char *text);
/* s without its leading white space, its trailing white space cut in place. */
char *cp_trim(char *s);

#endif
