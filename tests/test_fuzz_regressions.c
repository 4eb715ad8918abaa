/* test_fuzz_regressions.c -- replays the fuzzing inputs without clang.
 *
 * Every file of tests/fuzz/regressions/ (inputs that once crashed or broke
 * an invariant; see tests/fuzz/README) goes through both fuzz targets, and
 * the seed corpora tests/fuzz/corpus_theorem/ and tests/fuzz/corpus_kv/
 * through their own, using the entry points of tests/fuzz_targets.h that
 * the libFuzzer harnesses call.  A crash or a failed invariant aborts this
 * program.  Theorem inputs also check that cp_theorem_load (from a file)
 * and cp_theorem_parse (from memory) agree.  Run from the repository root
 * (make check does); CP_FUZZ_DIR overrides tests/fuzz. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <dirent.h>
#include <cmocka.h>
#include "fuzz_targets.h"

static const char *fuzz_dir(void)
{
    const char *d = getenv("CP_FUZZ_DIR");
    return d && *d ? d : "tests/fuzz";
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = 4096, n = 0, r;
    char *buf = malloc(cap);
    assert_non_null(buf);
    while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The regular files of dir/sub, sorted; returns the count. */
static int list_dir(const char *sub, char ***out)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", fuzz_dir(), sub);
    DIR *d = opendir(dir);
    if (d == NULL)
        print_error("cannot open %s (run from the repository root)\n", dir);
    assert_non_null(d);
    int n = 0, cap = 64;
    char **v = malloc((size_t) cap * sizeof *v);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README") == 0)
            continue;
        if (n == cap)
            v = realloc(v, (size_t) (cap *= 2) * sizeof *v);
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        v[n] = malloc(len);
        snprintf(v[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    qsort(v, (size_t) n, sizeof *v, cmp_names);
    *out = v;
    return n;
}

static void free_list(char **v, int n)
{
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* cp_theorem_load(path) and cp_theorem_parse(path, its text) agree. */
static void load_equals_parse(const char *path, const char *text, size_t len)
{
    cp_theorem a, b;
    char ea[CP_ERRLEN] = "", eb[CP_ERRLEN] = "";
    int ra = cp_theorem_load(&a, path, ea);
    int rb = cp_theorem_parse(&b, path, text, len, eb);
    if (ra != rb || strcmp(ea, eb) != 0)
        print_error("%s: load %d \"%s\" vs parse %d \"%s\"\n", path, ra, ea, rb, eb);
    assert_int_equal(ra, rb);
    assert_string_equal(ea, eb);
    if (ra == 0) {
        assert_int_equal(a.nclaims, b.nclaims);
        assert_int_equal(a.len, b.len);
        assert_string_equal(a.title, b.title);
        for (int i = 0; i < a.nclaims; i++) {
            assert_string_equal(a.claims[i].id, b.claims[i].id);
            assert_int_equal(a.claims[i].line_close, b.claims[i].line_close);
            assert_int_equal(a.claims[i].params.n, b.claims[i].params.n);
        }
        cp_theorem_clear(&a);
        cp_theorem_clear(&b);
    }
}

enum { T_THEOREM = 1, T_KV = 2 };

static void replay(const char *sub, int targets, int min_files)
{
    char **files;
    int n = list_dir(sub, &files);
    printf("%s: %d inputs\n", sub, n);
    assert_true(n >= min_files);
    for (int i = 0; i < n; i++) {
        size_t len;
        char *text = slurp(files[i], &len);
        if (targets & T_THEOREM) {
            cp_fuzz_theorem_one((const uint8_t *) text, len);
            load_equals_parse(files[i], text, len);
        }
        if (targets & T_KV)
            cp_fuzz_kv_one((const uint8_t *) text, len);
        free(text);
    }
    free_list(files, n);
}

static void test_corpus_theorem(void **state)
{
    (void) state;
    replay("corpus_theorem", T_THEOREM, 10);
}

static void test_corpus_kv(void **state)
{
    (void) state;
    replay("corpus_kv", T_KV, 10);
}

static void test_regressions(void **state)
{
    (void) state;
    replay("regressions", T_THEOREM | T_KV, 0);
}

/* The limits cp_theorem_parse shares with cp_theorem_load. */
static void test_parse_limits(void **state)
{
    (void) state;
    cp_theorem th;
    char err[CP_ERRLEN] = "";
    const char nul[] = "# T\n\0```check\n";
    assert_int_equal(cp_theorem_parse(&th, "x.md", nul, sizeof nul - 1, err), -1);
    assert_non_null(strstr(err, "x.md:1: theorem file contains a NUL byte"));
    assert_null(th.text);

    size_t big = (size_t) 8 << 20;
    char *text = malloc(big + 1);
    assert_non_null(text);
    memset(text, 'a', big + 1);
    text[0] = '\n';
    assert_int_equal(cp_theorem_parse(&th, "x.md", text, big + 1, err), -1);
    assert_non_null(strstr(err, "x.md:1: theorem file larger than"));
    assert_int_equal(cp_theorem_parse(&th, "x.md", text, big, err), 0);
    assert_int_equal(th.nclaims, 0);
    assert_int_equal(th.len, big);
    cp_theorem_clear(&th);
    free(text);

    /* empty text, and text that is not NUL-terminated */
    assert_int_equal(cp_theorem_parse(&th, "x.md", "", 0, err), 0);
    assert_int_equal(th.nclaims, 0);
    cp_theorem_clear(&th);
    const char blk[] = "```check\nid = a\ncheck = lsa_gap_vanishes\n```XYZ";
    assert_int_equal(cp_theorem_parse(&th, "x.md", blk, sizeof blk - 1 - 3, err), 0);
    assert_int_equal(th.nclaims, 1);
    assert_int_equal(th.len, sizeof blk - 1 - 3);
    cp_theorem_clear(&th);
}

/* Many claims: the duplicate-id check is linear (it was quadratic, and a
 * valid file of 180000 minimal blocks under the 8 MiB cap took more than
 * five minutes).  50000 blocks, then a duplicate of the first id. */
static void test_many_claims(void **state)
{
    (void) state;
    const int n = 50000;
    size_t cap = (size_t) n * 64 + 256, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    for (int i = 0; i < n; i++)
        len += (size_t) snprintf(text + len, cap - len,
                                 "```check\nid = c%d\ncheck = lsa_gap_vanishes\n```\n", i);
    cp_theorem th;
    char err[CP_ERRLEN] = "";
    assert_int_equal(cp_theorem_parse(&th, "many.md", text, len, err), 0);
    assert_int_equal(th.nclaims, n);
    cp_theorem_clear(&th);
    len += (size_t) snprintf(text + len, cap - len, "```check\nid = c0\ncheck = lsa_gap_vanishes\n```\n");
    assert_int_equal(cp_theorem_parse(&th, "many.md", text, len, err), -1);
    char want[128];
    snprintf(want, sizeof want, "many.md:%d: duplicate claim id 'c0' (first at line 1)", 4 * n + 2);
    assert_string_equal(err, want);
    free(text);
}

/* Claim ids are unique across files too (cp_theorem_load_all). */
static void test_load_all_duplicate(void **state)
{
    (void) state;
    const char *dir = getenv("TMPDIR");
    char p1[256], p2[256];
    snprintf(p1, sizeof p1, "%s/cp_fz1_XXXXXX", dir && *dir ? dir : "/tmp");
    snprintf(p2, sizeof p2, "%s/cp_fz2_XXXXXX", dir && *dir ? dir : "/tmp");
    int f1 = mkstemp(p1), f2 = mkstemp(p2);
    assert_true(f1 >= 0 && f2 >= 0);
    const char *a = "```check\nid = x.a\ncheck = lsa_gap_vanishes\n```\n"
                    "```check\nid = x.b\ncheck = lsa_gap_vanishes\n```\n";
    const char *b = "# T\n```check\nid = x.c\ncheck = lsa_gap_vanishes\n```\n"
                    "```check\nid = x.b\ncheck = lsa_gap_vanishes\n```\n";
    assert_int_equal(write(f1, a, strlen(a)), (ssize_t) strlen(a));
    assert_int_equal(write(f2, b, strlen(b)), (ssize_t) strlen(b));
    close(f1);
    close(f2);
    char *files[2] = { p1, p2 };
    cp_theorem *ths = NULL;
    int nth = 0;
    assert_int_equal(cp_theorem_load_all(&ths, &nth, files, 1), 0);
    assert_int_equal(nth, 1);
    cp_theorem_clear(&ths[0]);
    free(ths);
    assert_int_equal(cp_theorem_load_all(&ths, &nth, files, 2), -1);
    unlink(p1);
    unlink(p2);
}

int main(void)
{
    printf("seed = none (deterministic)\n");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_theorem),
        cmocka_unit_test(test_corpus_kv),
        cmocka_unit_test(test_regressions),
        cmocka_unit_test(test_parse_limits),
        cmocka_unit_test(test_many_claims),
        cmocka_unit_test(test_load_all_duplicate),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    flint_cleanup();
    return rc;
}
