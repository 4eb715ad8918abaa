/* test_engine_tail_cli.c -- `crossproof simulate` reports the tail
 * diagnostic (docs/model.md FC-9) on every result: `"heavy_tail"` in each
 * JSON object, columns in the CSV, a marker in the text table; and the new
 * keys estimator / sampler=tilted / tilt_share reject bad values with exit 2
 * and a one-line error naming the key. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

static char prog[1024], tmpdir[1024];
static char out[1 << 16], err[1 << 14];

static int run(const char *fmt, ...)
{
    char args[4096], cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "%s %s 2>%s/stderr", prog, args, tmpdir);
    FILE *p = popen(cmd, "r");
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    char path[1200];
    snprintf(path, sizeof path, "%s/stderr", tmpdir);
    FILE *f = fopen(path, "r");
    n = f ? fread(err, 1, sizeof err - 1, f) : 0;
    err[n] = '\0';
    if (f) fclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int count(const char *s, const char *needle)
{
    int c = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p++) c++;
    return c;
}

static void test_json_flag_on_every_result(void **state)
{
    (void) state;
    /* three points: T = 30 at L = 200 with s = 4 is the divergent regime
     * (flagged), T = 1 and 2 are light */
    assert_int_equal(run("simulate m_lo=4 m_hi=4 alpha=4/13 T=1,2,30 L=200 prompts=20000 --json --quiet"), 0);
    assert_int_equal(count(out, "\"heavy_tail\": "), 3);
    assert_int_equal(count(out, "\"heavy_tail\": true"), 1);
    assert_int_equal(count(out, "\"estimator\": \"conditional\""), 3);
    /* the certified lower bound (ca-excess-lower) is attached to every tied-CA
     * result, and at T = 30 it exceeds the plain estimate: one of the flag's
     * reasons */
    assert_int_equal(count(out, "\"lower_bound\": null"), 0);
    assert_true(count(out, "\"lower_bound\"]") + count(out, "\"lower_bound\",") >= 1);
    /* T = 30 at L = 200 is beyond kappa* = 0.0855 (T/L = 0.15), T = 1, 2 are not */
    assert_int_equal(count(out, "\"beyond_kappa_star\": true"), 1);
    /* plain estimator and sampled query also carry the flag */
    assert_int_equal(run("simulate T=1,5 prompts=3000 query=sampled --json --quiet"), 0);
    assert_int_equal(count(out, "\"heavy_tail\": "), 2);
    assert_int_equal(count(out, "\"estimator\": \"plain\""), 2);
    /* the tilted sampler removes the flag at T = 30 and lands near the exact 370224.8 */
    assert_int_equal(run("simulate m_lo=4 m_hi=4 T=30 L=200 alpha=4/13 prompts=20000 sampler=tilted --json --quiet"), 0);
    assert_int_equal(count(out, "\"heavy_tail\": false"), 1);
    const char *e = strstr(out, "\"excess\": ");
    assert_non_null(e);
    double ex = atof(e + 10);
    assert_true(ex > 0.95 * 370224.8 && ex < 1.05 * 370224.8);
}

static void test_text_and_csv(void **state)
{
    (void) state;
    char csv[1200];
    snprintf(csv, sizeof csv, "%s/r.csv", tmpdir);
    assert_int_equal(run("simulate m_lo=4 m_hi=4 alpha=4/13 T=2,30 L=200 prompts=5000 --quiet --csv %s", csv), 0);
    assert_int_equal(count(out, "HEAVY-TAIL"), 2);       /* the row and the footnote */
    FILE *f = fopen(csv, "r");
    assert_non_null(f);
    char line[4096];
    int rows = 0, heavy = 0, header = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        if (strstr(line, "heavy_tail")) { header = 1; continue; }
        rows++;
        size_t l = strlen(line);
        while (l && (line[l - 1] == '\n')) line[--l] = '\0';
        heavy += l >= 4 && strcmp(line + l - 4, "true") == 0;
    }
    fclose(f);
    assert_true(header);
    assert_int_equal(rows, 2);
    assert_int_equal(heavy, 1);
}

static void test_bad_keys(void **state)
{
    (void) state;
    static const char *cases[][2] = {
        { "simulate estimator=magic", "estimator" }, { "simulate tilt_share=1", "tilt_share" },
        { "simulate tilt_share=0", "tilt_share" }, { "simulate estimator=conditional query=sampled", "estimator" },
        { "simulate sampler=tilted L=1", "sampler" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = run("%s", cases[i][0]);
        if (rc != 2 || count(err, "\n") != 1 || !strstr(err, cases[i][1]))
            fail_msg("'%s': exit %d, stderr '%s'", cases[i][0], rc, err);
    }
}

int main(void)
{
    const char *b = getenv("BUILD");
    snprintf(prog, sizeof prog, "%s/crossproof", b && *b ? b : "build");
    snprintf(tmpdir, sizeof tmpdir, "/tmp/cp_engine_tail_XXXXXX");
    if (!mkdtemp(tmpdir)) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_flag_on_every_result),
        cmocka_unit_test(test_text_and_csv),
        cmocka_unit_test(test_bad_keys),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0) rc = rc ? rc : 1;
    return rc;
}
