/* test_engine_cli.c -- `crossproof simulate` and `crossproof train` end to
 * end: bad input (exit 2, one line naming the parameter, nothing written),
 * JSON shape, CSV atomicity on a failing run, thread-count independence,
 * --config equivalence, and bit-exact resume from a checkpoint.  Runs the
 * binary $BUILD/crossproof (BUILD as set by tests/run.sh). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

static char prog[1024], tmpdir[1024];

/* Runs `prog args`, captures stdout and stderr; returns the exit code. */
static int run(char *out, size_t nout, char *err, size_t nerr, const char *fmt, ...)
{
    char args[4096], cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "%s %s 2>%s/stderr", prog, args, tmpdir);
    FILE *p = popen(cmd, "r");
    size_t n = fread(out, 1, nout - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    char path[1200];
    snprintf(path, sizeof path, "%s/stderr", tmpdir);
    FILE *f = fopen(path, "r");
    n = f ? fread(err, 1, nerr - 1, f) : 0;
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

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static char out[1 << 16], err[1 << 14];

static void test_bad_input(void **state)
{
    (void) state;
    static const char *cases[][2] = {
        { "simulate L=abc", "L" }, { "simulate model=foo", "model" }, { "simulate sampler=wishart L=2", "sampler" },
        { "simulate nokey=1", "nokey" }, { "simulate T=0", "T" }, { "simulate prompts=1", "prompts" },
        { "simulate sigma=-1", "sigma" }, { "simulate beta=-0.2", "beta" }, { "simulate query=maybe", "query" },
        { "train model=ols", "model" }, { "train lr=0", "lr" }, { "train steps=-3", "steps" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = run(out, sizeof out, err, sizeof err, "%s", cases[i][0]);
        if (rc != 2 || count(err, "\n") != 1 || !strstr(err, cases[i][1]))
            fail_msg("'%s': exit %d, stderr '%s'", cases[i][0], rc, err);
    }
    char csv[1200];
    snprintf(csv, sizeof csv, "%s/nodir/x.csv", tmpdir);
    assert_int_equal(run(out, sizeof out, err, sizeof err, "simulate prompts=500 --csv %s", csv), 2);
    assert_false(exists(csv));
}

static void test_json_and_grid(void **state)
{
    (void) state;
    assert_int_equal(run(out, sizeof out, err, sizeof err, "simulate prompts=2000 --json"), 0);
    assert_int_equal(count(out, "\"risk\": "), 1);
    assert_int_equal(count(out, "\"stderr\": "), 1);
    assert_true(out[0] == '{');
    assert_non_null(strstr(out, "\"seed\": 1"));
    assert_non_null(strstr(out, "\"versions\""));
    assert_int_equal(run(out, sizeof out, err, sizeof err, "simulate prompts=2000 T=1,2,5 L=100,200 --json"), 0);
    assert_true(out[0] == '[');
    assert_int_equal(count(out, "\"risk\": "), 6);
}

static void test_csv_and_failure(void **state)
{
    (void) state;
    char csv[1200];
    snprintf(csv, sizeof csv, "%s/ok.csv", tmpdir);
    assert_int_equal(run(out, sizeof out, err, sizeof err, "simulate prompts=1000 T=1,2 --csv %s", csv), 0);
    FILE *f = fopen(csv, "r");
    assert_non_null(f);
    int lines = 0, data = 0;
    char line[8192];
    while (fgets(line, sizeof line, f)) { lines++; if (line[0] == 'c' && line[1] == 'a' && line[2] == ',') data++; }
    fclose(f);
    assert_int_equal(data, 2);
    /* a diverging run stops with exit 1 and writes no CSV */
    snprintf(csv, sizeof csv, "%s/bad.csv", tmpdir);
    assert_int_equal(run(out, sizeof out, err, sizeof err, "simulate alpha=3 T=300 L=50 prompts=1000 --csv %s", csv), 1);
    assert_non_null(strstr(err, "non-finite"));
    assert_false(exists(csv));
}

static void test_threads_and_config(void **state)
{
    (void) state;
    char a[1 << 14], b[1 << 14], cfg[1200];
    assert_int_equal(run(out, sizeof out, err, sizeof err, "simulate prompts=5000 d1=3 d2=4 T=7 L=60 sampler=direct threads=1 --json"), 0);
    char *p = strstr(out, "\"seconds\"");        /* compare everything before the timing */
    assert_non_null(p);
    *p = '\0';
    snprintf(a, sizeof a, "%s", strstr(out, "\"risk\""));
    assert_int_equal(run(out, sizeof out, err, sizeof err, "simulate prompts=5000 d1=3 d2=4 T=7 L=60 sampler=direct threads=2 --json"), 0);
    *strstr(out, "\"seconds\"") = '\0';
    snprintf(b, sizeof b, "%s", strstr(out, "\"risk\""));
    /* the resolved params record threads; compare the estimates */
    *strstr(a, "\"resolved\"") = '\0';
    *strstr(b, "\"resolved\"") = '\0';
    assert_string_equal(a, b);
    snprintf(cfg, sizeof cfg, "%s/exp.conf", tmpdir);
    FILE *f = fopen(cfg, "w");
    fprintf(f, "# an experiment\nd1 = 3\nd2 = 4   # modality 2\nT = 7\nL = 60\nsampler = direct\nprompts = 5000\n");
    fclose(f);
    assert_int_equal(run(out, sizeof out, err, sizeof err, "simulate threads=1 --json --config %s", cfg), 0);
    *strstr(out, "\"resolved\"") = '\0';
    assert_string_equal(strstr(out, "\"risk\""), a);
    f = fopen(cfg, "w");
    fprintf(f, "d1 = 3\nbogus line\n");
    fclose(f);
    assert_int_equal(run(out, sizeof out, err, sizeof err, "simulate --config %s", cfg), 2);
    assert_non_null(strstr(err, ":2:"));
    /* a bad command-line key next to a config file is named as a parameter, not as a file line */
    f = fopen(cfg, "w");
    fprintf(f, "d1 = 3\n");
    fclose(f);
    assert_int_equal(run(out, sizeof out, err, sizeof err, "simulate --config %s T=0", cfg), 2);
    assert_non_null(strstr(err, "parameter T"));
}

static void test_train_resume(void **state)
{
    (void) state;
    static char a[1 << 16];
    char ck[1200];
    snprintf(ck, sizeof ck, "%s/t.ckpt", tmpdir);
    assert_int_equal(run(out, sizeof out, err, sizeof err, "train model=ca2 T=3 steps=200 batch=128 test_prompts=2000"), 0);
    snprintf(a, sizeof a, "%s", out);
    assert_non_null(strstr(a, "distance"));
    assert_int_equal(run(out, sizeof out, err, sizeof err,
                         "train model=ca2 T=3 steps=200 batch=128 test_prompts=2000 stop_after=77 --checkpoint %s", ck), 1);
    assert_true(exists(ck));
    assert_int_equal(run(out, sizeof out, err, sizeof err, "train --resume %s steps=200 threads=2", ck), 0);
    assert_string_equal(out, a);
    /* changing a parameter on resume is refused */
    assert_int_equal(run(out, sizeof out, err, sizeof err, "train --resume %s lr=0.1", ck), 2);
}

int main(void)
{
    const char *b = getenv("BUILD");
    snprintf(prog, sizeof prog, "%s/crossproof", b && *b ? b : "build");
    snprintf(tmpdir, sizeof tmpdir, "/tmp/cp_engine_cli_XXXXXX");
    if (!mkdtemp(tmpdir)) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_json_and_grid),
        cmocka_unit_test(test_csv_and_failure),
        cmocka_unit_test(test_threads_and_config),
        cmocka_unit_test(test_train_resume),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0) rc = rc ? rc : 1;
    return rc;
}
