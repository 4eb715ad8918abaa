/* fuzz_targets.h -- the fuzzing entry points, shared by the libFuzzer
 * harnesses (tests/fuzz_theorem.c, tests/fuzz_kv.c, built by `make fuzz`)
 * and the cmocka replay test (tests/test_fuzz_regressions.c, run by
 * `make check`), so that a crash found by the fuzzer is replayed through
 * exactly the same code without clang.
 *
 * Besides "does not crash" (ASan/UBSan in `make fuzz` and `make sanitize`,
 * valgrind in `make memcheck`), each target checks invariants and aborts
 * when one fails:
 *   theorem: a rejected file leaves nothing allocated and an error
 *            "fuzz.md:..." ; an accepted one keeps the text byte for byte,
 *            every claim has a registered check, a valid unique id, its
 *            parameters inside its fences and valid for its check, and the
 *            typed getter of every given key succeeds.
 *   kv:      validation implies that each key's typed getter succeeds;
 *            cp_parse_rat round-trips through fmpq_get_str; cp_parse_int
 *            agrees with cp_parse_rat; the same text parsed as command-line
 *            arguments, as a file-style list and as a --config file
 *            (cp_engine_load_config) does not crash.
 *
 * Header-only (static functions) because tests/test_*.c are built from one
 * source file each. */
#ifndef CROSSPROOF_FUZZ_TARGETS_H
#define CROSSPROOF_FUZZ_TARGETS_H

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "crossproof/engine.h"
#include "crossproof/kv.h"
#include "crossproof/model.h"
#include "crossproof/theorem.h"

#define FUZZ_CHECK(cond)                                                          \
    do {                                                                          \
        if (!(cond)) {                                                            \
            fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond,         \
                    __FILE__, __LINE__);                                          \
            abort();                                                              \
        }                                                                         \
    } while (0)

/* Calls the typed getter of `s` for key; returns its result.  Lists are
 * checked against the number of items and freed. */
static int fuzz_get_typed(const cp_kv *kv, const cp_key_spec *specs, const cp_key_spec *s,
                          cp_key_type type, char *err)
{
    int rc;
    switch (type) {
    case CP_KEY_RAT: {
        fmpq_t q;
        fmpq_init(q);
        rc = cp_kv_get_rat(q, kv, specs, s->name, err);
        fmpq_clear(q);
        return rc;
    }
    case CP_KEY_INT: {
        slong v = 0;
        return cp_kv_get_int(&v, kv, specs, s->name, err);
    }
    case CP_KEY_RATLIST: {
        fmpq *v = NULL;
        slong n = 0;
        rc = cp_kv_get_ratlist(&v, &n, kv, specs, s->name, err);
        if (rc == 0) {
            FUZZ_CHECK(n >= 1 && v != NULL);
            _fmpq_vec_clear(v, n);
        }
        return rc;
    }
    case CP_KEY_INTLIST: {
        slong *v = NULL, n = 0;
        rc = cp_kv_get_intlist(&v, &n, kv, specs, s->name, err);
        if (rc == 0) {
            FUZZ_CHECK(n >= 1 && v != NULL);
            flint_free(v);
        }
        return rc;
    }
    case CP_KEY_WORD:
    case CP_KEY_TEXT:
    default: {
        const char *w = NULL;
        rc = cp_kv_get_word(&w, kv, specs, s->name, err);
        if (rc == 0)
            FUZZ_CHECK(w != NULL);
        return rc;
    }
    }
}

/* Every getter error is one NUL-terminated line. */
static void fuzz_check_err(const char *err)
{
    FUZZ_CHECK(memchr(err, '\0', CP_ERRLEN) != NULL);
}

/* --- theorem files ------------------------------------------------------ */

__attribute__((unused)) static int cp_fuzz_theorem_one(const uint8_t *data, size_t size)
{
    cp_theorem th;
    char err[CP_ERRLEN];
    err[0] = '\0';
    int rc = cp_theorem_parse(&th, "fuzz.md", (const char *) data, size, err);
    fuzz_check_err(err);
    if (rc != 0) {
        FUZZ_CHECK(rc == -1);
        FUZZ_CHECK(strncmp(err, "fuzz.md:", 8) == 0);
        FUZZ_CHECK(th.claims == NULL && th.text == NULL && th.nclaims == 0);
        return 0;
    }
    FUZZ_CHECK(th.len == size && th.text != NULL && th.text[size] == '\0');
    FUZZ_CHECK(size == 0 || memcmp(th.text, data, size) == 0);
    for (int i = 0; i < th.nclaims; i++) {
        const cp_claim *c = &th.claims[i];
        FUZZ_CHECK(c->def != NULL && c->def->keys != NULL);
        FUZZ_CHECK(c->id[0] != '\0' && strlen(c->id) < sizeof c->id);
        for (const char *p = c->id; *p; p++)
            FUZZ_CHECK(isalnum((unsigned char) *p) || strchr("._-", *p));
        FUZZ_CHECK(c->line_open >= 1 && c->line_open < c->line_close);
        for (int j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(th.claims[j].id, c->id) != 0);
        for (int k = 0; k < c->params.n; k++) {
            const cp_kv_entry *e = &c->params.e[k];
            FUZZ_CHECK(e->line > c->line_open && e->line < c->line_close);
            FUZZ_CHECK(strcmp(e->key, "id") != 0 && strcmp(e->key, "check") != 0);
        }
        FUZZ_CHECK(cp_kv_validate(&c->params, c->def->keys, err) == 0);
        /* validated: the getter of every given key must succeed */
        for (const cp_key_spec *s = c->def->keys; s->name != NULL; s++) {
            int grc = fuzz_get_typed(&c->params, c->def->keys, s, s->type, err);
            fuzz_check_err(err);
            if (cp_kv_has(&c->params, s->name))
                FUZZ_CHECK(grc == 0);
        }
        /* what the checks do first with their parameters */
        cp_model_t m;
        cp_model_init(m);
        cp_model_from_kv(m, &c->params, err);
        fuzz_check_err(err);
        cp_model_clear(m);
    }
    cp_theorem_clear(&th);
    return 0;
}

/* --- key = value parameters --------------------------------------------- */

/* The model's keys plus one key of every other type. */
static const cp_key_spec fuzz_kv_keys[] = {
    CP_MODEL_KEYS,
    { "bound",  CP_KEY_RAT,     NULL,        "a required rational" },
    { "T",      CP_KEY_INT,     "10",        "an integer" },
    { "Ts",     CP_KEY_INTLIST, "1,2,5,10",  "an integer list" },
    { "ref",    CP_KEY_RATLIST, "1/2,0.25",  "a rational list" },
    { "method", CP_KEY_WORD,    "direct",    "a word" },
    { "note",   CP_KEY_TEXT,    NULL,        "free text" },
    CP_KEY_END
};

/* cp_parse_rat / cp_parse_int invariants on one string. */
static void fuzz_numbers(const char *s)
{
    fmpq_t q, q2;
    fmpq_init(q);
    fmpq_init(q2);
    int r = cp_parse_rat(q, s);
    FUZZ_CHECK(r == 0 || r == -1);
    if (r == 0) {
        /* exact round trip through FLINT's "p/q" form, when it is short
         * enough to be accepted (<= 10000 digits each side) */
        char *t = fmpq_get_str(NULL, 10, q);
        if (strlen(t) <= 9000) {
            FUZZ_CHECK(cp_parse_rat(q2, t) == 0);
            FUZZ_CHECK(fmpq_equal(q, q2));
        }
        flint_free(t);
    }
    slong i = 0;
    int ri = cp_parse_int(&i, s);
    FUZZ_CHECK(ri == 0 || ri == -1);
    if (ri == 0) {
        FUZZ_CHECK(r == 0);
        FUZZ_CHECK(fmpz_is_one(fmpq_denref(q)) && fmpz_cmp_si(fmpq_numref(q), i) == 0);
    } else if (r == 0) {
        FUZZ_CHECK(!fmpz_is_one(fmpq_denref(q)) || !fmpz_fits_si(fmpq_numref(q)));
    }
    fmpq_clear(q);
    fmpq_clear(q2);
}

/* Validation, the model, and every getter (own type and every other type). */
static void fuzz_kv_use(const cp_kv *kv)
{
    char err[CP_ERRLEN];
    err[0] = '\0';
    int valid = cp_kv_validate(kv, fuzz_kv_keys, err) == 0;
    fuzz_check_err(err);
    for (const cp_key_spec *s = fuzz_kv_keys; s->name != NULL; s++) {
        int grc = fuzz_get_typed(kv, fuzz_kv_keys, s, s->type, err);
        fuzz_check_err(err);
        if (valid && (cp_kv_has(kv, s->name) || s->dflt != NULL))
            FUZZ_CHECK(grc == 0);
        for (int t = CP_KEY_RAT; t <= CP_KEY_TEXT; t++) {
            fuzz_get_typed(kv, fuzz_kv_keys, s, (cp_key_type) t, err);
            fuzz_check_err(err);
        }
    }
    cp_model_t m;
    cp_model_init(m);
    int mrc = cp_model_from_kv(m, kv, err);
    fuzz_check_err(err);
    if (mrc == 0) {
        FUZZ_CHECK(fmpq_sgn(m->m_lo) >= 0 && fmpq_cmp(m->m_lo, m->m_hi) <= 0);
        FUZZ_CHECK(fmpq_sgn(m->sigma) >= 0 && m->d1 >= 1 && m->d2 >= 0);
        cp_model_approx a;
        cp_model_get_approx(&a, m);
        FUZZ_CHECK(a.m_lo <= a.m_hi);
    }
    cp_model_clear(m);
}

/* A --config file: the text through a memory file, read by the real
 * reader (cp_engine_load_config). */
static void fuzz_config(const char *text, size_t len)
{
    int fd = memfd_create("cp_fuzz_cfg", 0);
    if (fd < 0)
        return;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w <= 0)
            break;
        off += (size_t) w;
    }
    char path[64], err[CP_ERRLEN];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    cp_kv kv;
    cp_kv_init(&kv, "");
    err[0] = '\0';
    if (off == len && cp_engine_load_config(&kv, path, err) == 0)
        fuzz_kv_use(&kv);
    fuzz_check_err(err);
    cp_kv_clear(&kv);
    close(fd);
}

/* Input: one mode byte, then lines.  Mode bit 0: lines are command-line
 * arguments "key=value" (cp_kv_add_arg, later ones replace earlier ones);
 * otherwise file-style "key = value" entries with line numbers
 * (cp_kv_set, duplicates rejected).  Bit 1: also read the text as a
 * --config file.  Every line also goes through the number parsers. */
__attribute__((unused)) static int cp_fuzz_kv_one(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    unsigned mode = data[0];
    data++;
    size--;
    char *buf = malloc(size + 1);
    FUZZ_CHECK(buf != NULL);
    if (size > 0)
        memcpy(buf, data, size);
    buf[size] = '\0';
    if (mode & 2)
        fuzz_config(buf, size);

    cp_kv kv;
    char err[CP_ERRLEN];
    cp_kv_init(&kv, (mode & 1) ? "" : "fuzz.cfg");
    int ln = 0;
    char *save = NULL;
    /* strtok_r: empty lines are skipped; an embedded NUL ends the text */
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        ln++;
        fuzz_numbers(line);
        err[0] = '\0';
        if (mode & 1) {
            cp_kv_add_arg(&kv, line, err);
        } else {
            char *eq = strchr(line, '=');
            if (eq == NULL)
                continue;
            *eq = '\0';
            fuzz_numbers(eq + 1);
            cp_kv_set(&kv, line, eq + 1, ln, 0);
        }
        fuzz_check_err(err);
    }
    fuzz_kv_use(&kv);
    for (int i = 0; i < kv.n; i++)
        FUZZ_CHECK(cp_kv_has(&kv, kv.e[i].key) && cp_kv_find(&kv, kv.e[i].key) == &kv.e[i]);
    cp_kv_clear(&kv);
    free(buf);
    return 0;
}

#endif
