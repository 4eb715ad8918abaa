/* test_theorem.c -- the literate theorem parser (theorem.h).  Each case
 * writes a small file with mkstemp and checks either the parsed claims (ids,
 * fence lines, parameters with their lines) or that the file is rejected
 * with an error starting "<path>:<line>:" at the line the test expects,
 * counted by hand from the text below. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "crossproof/theorem.h"

static char g_path[256];

static void write_tmp(const char *text)
{
    const char *dir = getenv("TMPDIR");
    snprintf(g_path, sizeof g_path, "%s/cp_thm_XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(g_path);
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t) n);
    close(fd);
}

/* Loads text; expects rejection with "<path>:<line>:" and `needle` in the message. */
static void expect_reject(const char *text, int line, const char *needle)
{
    char err[CP_ERRLEN] = "", prefix[320];
    cp_theorem th;
    write_tmp(text);
    int rc = cp_theorem_load(&th, g_path, err);
    snprintf(prefix, sizeof prefix, "%s:%d:", g_path, line);
    if (rc == 0 || strncmp(err, prefix, strlen(prefix)) != 0
        || (needle && strstr(err, needle) == NULL))
        print_error("file:\n%s\nrc %d, error \"%s\"; want prefix \"%s\" and \"%s\"\n", text, rc,
                    err, prefix, needle ? needle : "");
    if (rc == 0)
        cp_theorem_clear(&th);
    unlink(g_path);
    assert_int_equal(rc, -1);
    assert_int_equal(strncmp(err, prefix, strlen(prefix)), 0);
    if (needle)
        assert_non_null(strstr(err, needle));
}

static const char *VALID =
    "# Title of the theorem\n"                 /* 1 */
    "\n"                                       /* 2 */
    "Some prose with = signs in it.\n"         /* 3 */
    "```check\n"                               /* 4 */
    "id    = t.one\n"                          /* 5 */
    "check = lsa_gap_bound\n"                  /* 6 */
    "# a comment line\n"                       /* 7 */
    "m_lo  = 0.5\n"                            /* 8 */
    "m_hi  = 4\n"                              /* 9 */
    "bound = 1/10\n"                           /* 10 */
    "```\n"                                    /* 11 */
    "\n"                                       /* 12 */
    "```c\n"                                   /* 13 */
    "bogus_key = not a number\n"               /* 14 */
    "int x = 1;\n"                             /* 15 */
    "```\n"                                    /* 16 */
    "```\n"                                    /* 17: plain fence */
    "m_lo = nan\n"                             /* 18 */
    "```\n"                                    /* 19 */
    "```check  \n"                             /* 20: trailing blanks are allowed */
    "id = t.two\n"                             /* 21 */
    "check = lsa_gap_vanishes\n"               /* 22 */
    "m_lo = 2\n"                               /* 23 */
    "m_hi = 2\n"                               /* 24 */
    "```\n";                                   /* 25 */

static void test_valid_file(void **state)
{
    (void) state;
    char err[CP_ERRLEN] = "";
    cp_theorem th;
    write_tmp(VALID);
    int rc = cp_theorem_load(&th, g_path, err);
    if (rc != 0)
        print_error("valid file rejected: %s\n", err);
    unlink(g_path);
    assert_int_equal(rc, 0);
    assert_string_equal(th.title, "Title of the theorem");
    assert_int_equal(th.nclaims, 2);
    assert_int_equal(th.len, strlen(VALID));
    assert_string_equal(th.claims[0].id, "t.one");
    assert_string_equal(th.claims[0].def->name, "lsa_gap_bound");
    assert_int_equal(th.claims[0].line_open, 4);
    assert_int_equal(th.claims[0].line_close, 11);
    /* params: everything except id and check, with their lines */
    const cp_kv *p = &th.claims[0].params;
    assert_int_equal(p->n, 3);
    assert_null(cp_kv_find(p, "id"));
    assert_null(cp_kv_find(p, "check"));
    const cp_kv_entry *e = cp_kv_find(p, "m_lo");
    assert_non_null(e);
    assert_string_equal(e->value, "0.5");
    assert_int_equal(e->line, 8);
    e = cp_kv_find(p, "bound");
    assert_non_null(e);
    assert_string_equal(e->value, "1/10");
    assert_int_equal(e->line, 10);
    assert_string_equal(p->origin, g_path);
    assert_string_equal(th.claims[1].id, "t.two");
    assert_string_equal(th.claims[1].def->name, "lsa_gap_vanishes");
    assert_int_equal(th.claims[1].line_open, 20);
    assert_int_equal(th.claims[1].line_close, 25);
    e = cp_kv_find(&th.claims[1].params, "m_hi");
    assert_non_null(e);
    assert_int_equal(e->line, 24);
    cp_theorem_clear(&th);
}

static void test_crlf_and_no_final_newline(void **state)
{
    (void) state;
    char err[CP_ERRLEN] = "";
    cp_theorem th;
    write_tmp("# T\r\n```check\r\nid = a.b\r\ncheck = lsa_gap_vanishes\r\nm_lo = 1\r\nm_hi = 1\r\n```");
    int rc = cp_theorem_load(&th, g_path, err);
    unlink(g_path);
    if (rc != 0)
        print_error("%s\n", err);
    assert_int_equal(rc, 0);
    assert_int_equal(th.nclaims, 1);
    assert_int_equal(th.claims[0].line_close, 7);
    assert_string_equal(cp_kv_find(&th.claims[0].params, "m_hi")->value, "1");
    cp_theorem_clear(&th);
}

static void test_rejections(void **state)
{
    (void) state;
    /* unknown key, reported at its own line (validation runs at the fence) */
    expect_reject("# T\n\n```check\nid = a\ncheck = lsa_gap_bound\nm_lo = 1\nfoo = 2\nm_hi = 3\n```\n",
                  7, "foo");
    /* malformed number */
    expect_reject("# T\n```check\nid = a\ncheck = lsa_gap_bound\nm_hi = 1.2.3\n```\n", 5, "1.2.3");
    expect_reject("# T\n```check\nid = a\ncheck = lsa_gap_bound\nbound = nan\n```\n", 5, "nan");
    /* unknown check, at the check line */
    expect_reject("# T\n```check\nid = a\n\ncheck = no_such_check\n```\n", 5, "no_such_check");
    /* unclosed check fence, at its opening line */
    expect_reject("# T\ntext\n```check\nid = a\ncheck = lsa_gap_bound\nm_lo = 1\n", 3, "unclosed");
    /* unclosed other fence */
    expect_reject("# T\n```c\nint x;\n", 3, "unclosed");
    /* missing id, at the opening fence */
    expect_reject("# T\n\n\n```check\ncheck = lsa_gap_bound\n```\n", 4, "id");
    /* missing check */
    expect_reject("# T\n```check\nid = a\nm_lo = 1\n```\n", 2, "check");
    /* duplicate id, at the second id line */
    expect_reject("# T\n```check\nid = same\ncheck = lsa_gap_vanishes\n```\n\n"
                  "```check\ncheck = lsa_gap_vanishes\nid = same\n```\n", 9, "same");
    /* a line without '=' */
    expect_reject("# T\n```check\nid = a\ncheck = lsa_gap_bound\nkey\n```\n", 5, "key = value");
    /* empty value and empty key */
    expect_reject("# T\n```check\nid = a\ncheck = lsa_gap_bound\nm_lo =\n```\n", 5, NULL);
    expect_reject("# T\n```check\nid = a\ncheck = lsa_gap_bound\n = 3\n```\n", 5, NULL);
    /* a key given twice inside one block */
    expect_reject("# T\n```check\nid = a\ncheck = lsa_gap_bound\nm_lo = 1\nm_lo = 2\n```\n", 6, "m_lo");
    /* id or check given twice: the second line is the error, not a silent override */
    expect_reject("# T\n```check\nid = a\ncheck = lsa_gap_bound\nid = b\n```\n", 5, "id");
    expect_reject("# T\n```check\nid = a\ncheck = lsa_gap_bound\ncheck = lsa_gap_vanishes\n```\n", 5, "check");
    /* malformed id */
    expect_reject("# T\n```check\nid = has space\ncheck = lsa_gap_bound\n```\n", 3, "id");
}

/* Issue 8, finding 3: a block that looks like a check block but is not one
 * exactly is an error at its line, never skipped; indented code is not run. */
#define BODY "id = a\ncheck = lsa_gap_vanishes\nm_lo = 1\nm_hi = 1\n"
static void test_near_miss_fences(void **state)
{
    (void) state;
    expect_reject("# T\n\n```Check\n" BODY "```\n", 3, "looks like a check block");
    expect_reject("# T\n```CHECK\n" BODY "```\n", 2, "looks like a check block");
    expect_reject("# T\n~~~check\n" BODY "~~~\n", 2, "looks like a check block");
    expect_reject("# T\n```check {.attr}\n" BODY "```\n", 2, "looks like a check block");
    expect_reject("# T\n```{.check}\n" BODY "```\n", 2, "looks like a check block");
    expect_reject("# T\n````check\n" BODY "````\n", 2, "looks like a check block");
    expect_reject("# T\n  ```check\n" BODY "```\n", 2, "looks like a check block");
    /* four spaces or a tab: Markdown code, reported rather than run or skipped */
    expect_reject("# T\n\n    ```check\n    " BODY "    ```\n", 3, "indented");
    expect_reject("# T\n\t```check\n" BODY "```\n", 2, "indented");
    /* a check block closed by anything but exactly ``` */
    expect_reject("# T\n```check\n" BODY "~~~\n```\n", 7, "closes");
    expect_reject("# T\n```check\n" BODY "````\n", 7, "closes");
    expect_reject("# T\n```check\n" BODY "```check\n```\n", 7, "closes");
}

/* Fences that are not check blocks close only on a matching fence, so a
 * ```check shown inside a four-backtick or tilde example is content. */
static void test_nested_example_fences(void **state)
{
    (void) state;
    char err[CP_ERRLEN] = "";
    cp_theorem th;
    write_tmp("# T\n````markdown\n```check\nid = shown.only\n```\n````\n"
              "~~~\n```\n~~~\n"
              "```check\n" BODY "```\n");
    int rc = cp_theorem_load(&th, g_path, err);
    unlink(g_path);
    if (rc != 0)
        print_error("%s\n", err);
    assert_int_equal(rc, 0);
    assert_int_equal(th.nclaims, 1);
    assert_string_equal(th.claims[0].id, "a");
    assert_int_equal(th.claims[0].line_open, 10);
    cp_theorem_clear(&th);
}
#undef BODY

static void test_missing_file(void **state)
{
    (void) state;
    char err[CP_ERRLEN] = "";
    cp_theorem th;
    assert_int_equal(cp_theorem_load(&th, "/nonexistent/dir/x.md", err), -1);
    assert_non_null(strstr(err, "/nonexistent/dir/x.md"));
}

int main(void)
{
    /* no randomness in this file; the line is printed for uniformity */
    printf("seed = none (deterministic)\n");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_file),
        cmocka_unit_test(test_crlf_and_no_final_newline),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_near_miss_fences),
        cmocka_unit_test(test_nested_example_fences),
        cmocka_unit_test(test_missing_file),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    flint_cleanup();
    return rc;
}
