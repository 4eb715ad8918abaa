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
#include <sys/stat.h>
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

/* the reader: NUL byte named with its line, size cap, directory and FIFO
 * refused (O_NONBLOCK: the FIFO without a writer must not block) */
static void test_read_regular(void **state)
{
    (void) state;
    char dir[] = "/tmp/cp_faults_XXXXXX", path[256], err[CP_ERRLEN] = "";
    size_t len = 0;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/in.txt", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite("a\nb\nc\0d\n", 1, 9, f);
    fclose(f);
    assert_null(cp_read_regular(path, 1000, "input", &len, err));
    assert_non_null(strstr(err, "in.txt:3: input contains a NUL byte"));
    f = fopen(path, "wb");
    fputs("0123456789", f);
    fclose(f);
    assert_null(cp_read_regular(path, 9, "input", &len, err));
    assert_non_null(strstr(err, "larger than 9 bytes"));
    char *t = cp_read_regular(path, 10, "input", &len, err);
    assert_non_null(t);
    assert_int_equal(len, 10);
    assert_string_equal(t, "0123456789");
    free(t);
    assert_null(cp_read_regular(dir, 10, "input", &len, err));
    assert_non_null(strstr(err, "is a directory"));
    char fifo[300];
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_null(cp_read_regular(fifo, 10, "input", &len, err));
    assert_non_null(strstr(err, "not a regular file"));
    unlink(fifo);
    unlink(path);
    assert_int_equal(rmdir(dir), 0);
}

/* the writer follows a symlink (the link stays) and keeps the mode bits */
static void test_atomic_symlink_and_mode(void **state)
{
    (void) state;
    char dir[] = "/tmp/cp_faults_XXXXXX", target[256], link[256], err[CP_ERRLEN] = "";
    struct stat st;
    assert_non_null(mkdtemp(dir));
    snprintf(target, sizeof target, "%s/target", dir);
    snprintf(link, sizeof link, "%s/link", dir);
    FILE *f = fopen(target, "w");
    fputs("old\n", f);
    fclose(f);
    assert_int_equal(chmod(target, 0604), 0);
    assert_int_equal(symlink("target", link), 0);
    cp_atomic_file af;
    assert_int_equal(cp_atomic_open(&af, link, err), 0);
    fputs("new\n", af.f);
    assert_int_equal(cp_atomic_close(&af, err), 0);
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(stat(target, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0604);
    char buf[16] = "";
    f = fopen(target, "r");
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "new\n");
    /* a directory is refused, by the check and by the writer */
    assert_int_equal(cp_output_check(dir, err), -1);
    assert_non_null(strstr(err, "is a directory"));
    assert_int_equal(cp_atomic_open(&af, dir, err), -1);
    unlink(link);
    unlink(target);
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
        cmocka_unit_test(test_read_regular),
        cmocka_unit_test(test_atomic_symlink_and_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
