/* test_faults.c -- fault handling: an allocation failure inside FLINT is
 * reported with one line and exit code 3, not a crash; an unwritable path
 * and a write error are reported and leave no file behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "crossproof/output.h"
#include "crossproof/kv.h"

static void test_flint_allocation_failure(void **state)
{
    (void) state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        cp_install_handlers();
        void *p = flint_malloc((size_t) 1 << 62);   /* cannot succeed */
        (void) p;
        _exit(0);   /* reached only if the allocation did succeed */
    }
    close(fds[1]);
    char buf[512] = "";
    ssize_t n = read(fds[0], buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));             /* not killed by SIGABRT */
    assert_int_equal(WEXITSTATUS(status), 3);
    assert_non_null(strstr(buf, "crossproof: stopped by FLINT"));
}

static void test_unwritable_path(void **state)
{
    (void) state;
    cp_atomic_file af;
    char err[CP_ERRLEN] = "";
    assert_int_equal(cp_atomic_open(&af, "/nonexistent-dir/x/report.md", err), -1);
    assert_non_null(strstr(err, "/nonexistent-dir/x/report.md"));
}

static void test_write_error_leaves_nothing(void **state)
{
    (void) state;
    char dir[] = "/tmp/cp_faults_XXXXXX", path[256], err[CP_ERRLEN] = "";
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/r.md", dir);
    cp_atomic_file af;
    assert_int_equal(cp_atomic_open(&af, path, err), 0);
    fputs("partial", af.f);
    /* simulate an I/O error on the stream (as a full disk would set it) */
    int fd = fileno(af.f);
    close(fd);                       /* the flush at close now fails with EBADF */
    assert_int_equal(cp_atomic_close(&af, err), -1);
    assert_non_null(strstr(err, "write failed"));
    assert_int_equal(access(path, F_OK), -1);   /* no report */
    assert_int_equal(rmdir(dir), 0);            /* and no temporary file: the dir is empty */
}

static void test_complete_write_renames(void **state)
{
    (void) state;
    char dir[] = "/tmp/cp_faults_XXXXXX", path[256], err[CP_ERRLEN] = "", buf[32] = "";
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/r.md", dir);
    cp_atomic_file af;
    assert_int_equal(cp_atomic_open(&af, path, err), 0);
    assert_int_equal(access(path, F_OK), -1);   /* nothing visible before the rename */
    fputs("complete\n", af.f);
    assert_int_equal(cp_atomic_close(&af, err), 0);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "complete\n");
    unlink(path);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    printf("seed = none (deterministic)\n");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flint_allocation_failure),
        cmocka_unit_test(test_unwritable_path),
        cmocka_unit_test(test_write_error_leaves_nothing),
        cmocka_unit_test(test_complete_write_renames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
