/* output.c -- enclosure printing and atomic file output (output.h). */
#include <errno.h>
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>
#include <mpfr.h>
#include "crossproof/kv.h"
#include "crossproof/output.h"

static void arf_to_str(char *out, size_t n, const arf_t x, slong digits, mpfr_rnd_t rnd)
{
    if (arf_is_pos_inf(x) || arf_is_nan(x)) {
        snprintf(out, n, "%s", rnd == MPFR_RNDD ? "-inf" : "+inf");
        return;
    }
    if (arf_is_neg_inf(x)) {
        snprintf(out, n, "-inf");
        return;
    }
    mpfr_t t;
    slong bits = arf_bits(x);
    mpfr_init2(t, FLINT_MAX(bits, 2));
    arf_get_mpfr(t, x, MPFR_RNDN);   /* exact: enough bits */
    char *s = NULL;
    if (mpfr_asprintf(&s, rnd == MPFR_RNDD ? "%.*RDg" : "%.*RUg", (int) digits, t) < 0)
        snprintf(out, n, "?");
    else
        snprintf(out, n, "%s", s);
    mpfr_free_str(s);
    mpfr_clear(t);
}

int cp_arb_bounds_str(char *lo, char *hi, size_t n, const arb_t x, slong digits)
{
    arf_t a, b;
    arf_init(a);
    arf_init(b);
    int finite = arb_is_finite(x);
    if (finite) {
        arb_get_lbound_arf(a, x, ARF_PREC_EXACT);
        arb_get_ubound_arf(b, x, ARF_PREC_EXACT);
    } else {
        arf_neg_inf(a);
        arf_pos_inf(b);
    }
    arf_to_str(lo, n, a, digits, MPFR_RNDD);
    arf_to_str(hi, n, b, digits, MPFR_RNDU);
    arf_clear(a);
    arf_clear(b);
    return finite ? 0 : -1;
}

char *cp_arb_human(const arb_t x, slong digits)
{
    return arb_get_str(x, digits, 0);
}

void cp_arb_human_buf(char *buf, size_t n, const arb_t x, slong digits)
{
    char *s = cp_arb_human(x, digits);
    snprintf(buf, n, "%s", s);
    flint_free(s);
}

slong cp_arb_digits(const arb_t x)
{
    slong bits = arb_rel_accuracy_bits(x);
    if (bits <= 0)
        return 0;
    if (bits > 1000000)    /* exact balls report ARF_PREC_EXACT */
        bits = 1000000;
    return (slong) floor((double) bits * 0.30102999566398120);
}

void cp_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char) *s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* Temporary files being written, removed if a signal stops the program
 * (docs/design.md, "Bad input" and "Faults"): a report is complete or absent.
 * The table holds pointers to the heap names (set with signals blocked), so
 * that a name of any length up to PATH_MAX is covered. */
#define CP_MAX_ACTIVE 16
static const char *volatile active_tmp[CP_MAX_ACTIVE];

static void on_fatal_signal(int sig)
{
    for (int i = 0; i < CP_MAX_ACTIVE; i++)
        if (active_tmp[i])
            unlink(active_tmp[i]);          /* async-signal-safe */
    signal(sig, SIG_DFL);
    raise(sig);
}

static FLINT_NORETURN void on_flint_abort(void)
{
    static const char msg[] = "crossproof: stopped by FLINT (see the message above; "
                              "usually out of memory)\n";
    for (int i = 0; i < CP_MAX_ACTIVE; i++)
        if (active_tmp[i])
            unlink(active_tmp[i]);
    if (write(2, msg, sizeof msg - 1) < 0) { /* nothing more to do */ }
    _exit(3);
}

void cp_install_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    /* a file-size limit makes write() fail with EFBIG, reported as an error,
     * instead of killing the process mid-file */
    signal(SIGXFSZ, SIG_IGN);
    flint_set_abort(on_flint_abort);
}

static int track(const char *tmp, int add)
{
    sigset_t all, old;
    int done = 0;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    for (int i = 0; i < CP_MAX_ACTIVE && !done; i++) {
        if (add && active_tmp[i] == NULL) {
            active_tmp[i] = tmp;
            done = 1;
        } else if (!add && active_tmp[i] == tmp) {
            active_tmp[i] = NULL;
            done = 1;
        }
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    return done ? 0 : -1;
}

static char *xstrdup(const char *s)
{
    char *r = strdup(s);
    if (r == NULL) {
        fprintf(stderr, "crossproof: out of memory\n");
        exit(3);
    }
    return r;
}

/* The directory part of `path` ("." when there is none). */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    char *d = xstrdup(path);
    d[slash - path] = '\0';
    return d;
}

/* Resolves the output path: follows symbolic links to the file that will
 * be written.  *kind: 0 regular or new, 1 non-regular (write directly).
 * Returns the target (heap) or NULL with err set. */
static char *resolve_output(const char *path, int *kind, struct stat *st, int *exists, char *err)
{
    char *cur = xstrdup(path);
    for (int hops = 0;; hops++) {
        if (strlen(cur) >= PATH_MAX) {
            cp_errf(err, "%.200s...: path longer than PATH_MAX (%d)", cur, PATH_MAX);
            free(cur);
            return NULL;
        }
        if (lstat(cur, st) != 0) {
            if (errno != ENOENT) {
                cp_errf(err, "%s: cannot write (%s)", path, strerror(errno));
                free(cur);
                return NULL;
            }
            *exists = 0;
            *kind = 0;
            return cur;
        }
        *exists = 1;
        if (S_ISLNK(st->st_mode)) {
            if (hops >= 40) {
                cp_errf(err, "%s: cannot write (too many levels of symbolic links)", path);
                free(cur);
                return NULL;
            }
            char *buf = malloc(PATH_MAX + 1);
            if (buf == NULL) {
                fprintf(stderr, "crossproof: out of memory\n");
                exit(3);
            }
            ssize_t n = readlink(cur, buf, PATH_MAX);
            if (n < 0 || n >= PATH_MAX) {
                cp_errf(err, "%s: cannot read the symbolic link %s", path, cur);
                free(buf);
                free(cur);
                return NULL;
            }
            buf[n] = '\0';
            char *next;
            if (buf[0] == '/' || strchr(cur, '/') == NULL) {
                next = xstrdup(buf);
            } else {
                char *d = dir_of(cur);
                size_t len = strlen(d) + strlen(buf) + 2;
                next = malloc(len);
                if (next == NULL) {
                    fprintf(stderr, "crossproof: out of memory\n");
                    exit(3);
                }
                snprintf(next, len, "%s/%s", d, buf);
                free(d);
            }
            free(buf);
            free(cur);
            cur = next;
            continue;
        }
        if (S_ISDIR(st->st_mode)) {
            cp_errf(err, "%s: is a directory", path);
            free(cur);
            return NULL;
        }
        *kind = S_ISREG(st->st_mode) ? 0 : 1;
        return cur;
    }
}

int cp_output_check(const char *path, char *err)
{
    struct stat st;
    int kind, exists;
    if (path == NULL || path[0] == '\0') {
        cp_errf(err, "empty output file name");
        return -1;
    }
    if (strcmp(path, "-") == 0)
        return 0;
    char *target = resolve_output(path, &kind, &st, &exists, err);
    if (target == NULL)
        return -1;
    int rc = 0;
    if (kind == 1) {
        if (access(target, W_OK) != 0) {
            cp_errf(err, "%s: cannot write (%s)", path, strerror(errno));
            rc = -1;
        }
    } else {
        char *d = dir_of(target);
        struct stat ds;
        if (stat(d, &ds) != 0) {
            cp_errf(err, "%s: cannot write (directory %s: %s)", path, d, strerror(errno));
            rc = -1;
        } else if (!S_ISDIR(ds.st_mode)) {
            cp_errf(err, "%s: cannot write (%s is not a directory)", path, d);
            rc = -1;
        } else if (access(d, W_OK | X_OK) != 0) {
            cp_errf(err, "%s: cannot write (directory %s: %s)", path, d, strerror(errno));
            rc = -1;
        }
        free(d);
    }
    free(target);
    return rc;
}

int cp_atomic_open(cp_atomic_file *af, const char *path, char *err)
{
    memset(af, 0, sizeof *af);
    if (path == NULL || path[0] == '\0') {
        cp_errf(err, "empty output file name");
        return -1;
    }
    if (strcmp(path, "-") == 0) {
        af->path = xstrdup(path);
        af->f = stdout;
        af->direct = 2;
        return 0;
    }
    struct stat st;
    int kind, exists;
    char *target = resolve_output(path, &kind, &st, &exists, err);
    if (target == NULL)
        return -1;
    af->path = xstrdup(path);
    af->target = target;
    if (kind == 1) {
        /* device, FIFO, ...: write in place; O_TRUNC is ignored by them */
        int fd = open(target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (fd < 0 || (af->f = fdopen(fd, "w")) == NULL) {
            cp_errf(err, "%s: cannot write (%s)", path, strerror(errno));
            if (fd >= 0)
                close(fd);
            free(af->path);
            free(af->target);
            memset(af, 0, sizeof *af);
            return -1;
        }
        af->direct = 1;
        return 0;
    }
    if (exists) {
        af->have_mode = 1;
        af->mode = (unsigned) (st.st_mode & 07777);
        af->uid = (int) st.st_uid;
        af->gid = (int) st.st_gid;
    }
    size_t len = strlen(target) + 16;
    af->tmp = malloc(len);
    if (af->tmp == NULL) {
        fprintf(stderr, "crossproof: out of memory\n");
        exit(3);
    }
    snprintf(af->tmp, len, "%s.tmp.XXXXXX", target);
    if (track(af->tmp, 1) != 0) {
        cp_errf(err, "%s: too many output files open at once", path);
        goto fail;
    }
    int fd = mkstemp(af->tmp);
    if (fd < 0) {
        cp_errf(err, "%s: cannot write (%s)", path, strerror(errno));
        track(af->tmp, 0);
        goto fail;
    }
    af->f = fdopen(fd, "w");
    if (af->f == NULL) {
        cp_errf(err, "%s: cannot write (%s)", path, strerror(errno));
        close(fd);
        unlink(af->tmp);
        track(af->tmp, 0);
        goto fail;
    }
    return 0;
fail:
    free(af->path);
    free(af->target);
    free(af->tmp);
    memset(af, 0, sizeof *af);
    return -1;
}

static void atomic_free(cp_atomic_file *af)
{
    if (af->tmp)
        track(af->tmp, 0);
    free(af->path);
    free(af->target);
    free(af->tmp);
    memset(af, 0, sizeof *af);
}

void cp_atomic_abort(cp_atomic_file *af)
{
    if (af->f) {
        if (af->direct == 2)
            fflush(af->f);
        else
            fclose(af->f);
        af->f = NULL;
        if (af->tmp)
            unlink(af->tmp);
    }
    atomic_free(af);
}

int cp_atomic_close(cp_atomic_file *af, char *err)
{
    if (af->f == NULL) {
        cp_errf(err, "%s: write failed (not open)", af->path ? af->path : "?");
        atomic_free(af);
        return -1;
    }
    int bad = ferror(af->f) != 0, saved = bad ? EIO : 0;
    if (fflush(af->f) != 0) {
        bad = 1;
        saved = errno;
    }
    if (af->direct == 2) {            /* standard output: checked again at exit */
        int rc = bad ? -1 : 0;
        if (bad)
            cp_errf(err, "standard output: write failed (%s)", strerror(saved));
        af->f = NULL;
        atomic_free(af);
        return rc;
    }
    if (!bad && af->direct == 0) {
        int fd = fileno(af->f);
        /* keep the permissions of the file being replaced, else those a
         * plain fopen would have given */
        if (af->have_mode) {
            if (geteuid() == 0 && fchown(fd, (uid_t) af->uid, (gid_t) af->gid) != 0) { /* best effort */ }
            fchmod(fd, (mode_t) af->mode);
        } else {
            mode_t mask = umask(0);
            umask(mask);
            fchmod(fd, 0666 & ~mask);
        }
        if (fsync(fd) != 0 && errno != EINVAL) {
            bad = 1;
            saved = errno;
        }
    }
    if (fclose(af->f) != 0 && !bad) {
        bad = 1;
        saved = errno;
    }
    af->f = NULL;
    if (af->direct == 1) {
        int rc = 0;
        if (bad) {
            cp_errf(err, "%s: write failed (%s)", af->path, strerror(saved ? saved : EIO));
            rc = -1;
        }
        atomic_free(af);
        return rc;
    }
    if (!bad && rename(af->tmp, af->target) != 0) {
        bad = 1;
        saved = errno;
    }
    if (bad) {
        unlink(af->tmp);
        cp_errf(err, "%s: write failed (%s)", af->path, strerror(saved ? saved : EIO));
        atomic_free(af);
        return -1;
    }
    /* make the rename itself durable (best effort: not every file system
     * lets a directory be opened) */
    char *d = dir_of(af->target);
    int dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        if (fsync(dfd) != 0) { /* ignored */ }
        close(dfd);
    }
    free(d);
    atomic_free(af);
    return 0;
}

int cp_stdout_close(void)
{
    int bad = ferror(stdout) != 0, saved = bad ? EIO : 0;
    if (fflush(stdout) != 0) {
        bad = 1;
        saved = errno;
    }
    if (fclose(stdout) != 0 && !bad && errno != EBADF) {
        bad = 1;
        saved = errno;
    }
    if (bad) {
        fprintf(stderr, "crossproof: standard output: write failed (%s)\n", strerror(saved ? saved : EIO));
        return -1;
    }
    return 0;
}

char *cp_read_regular(const char *path, size_t cap, const char *what, size_t *len, char *err)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    struct stat st;
    if (fd < 0) {
        cp_errf(err, "%.400s: cannot open %s (%s)", path, what, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) != 0) {
        cp_errf(err, "%.400s: cannot read %s (%s)", path, what, strerror(errno));
        close(fd);
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        cp_errf(err, "%.400s: %s is a directory", path, what);
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        cp_errf(err, "%.400s: %s is not a regular file (device, FIFO or socket)", path, what);
        close(fd);
        return NULL;
    }
    if ((uintmax_t) st.st_size > cap) {
        cp_errf(err, "%.400s:1: %s larger than %zu bytes", path, what, cap);
        close(fd);
        return NULL;
    }
    size_t want = (size_t) st.st_size, n = 0, bufcap = want + 1;
    char *buf = malloc(bufcap + 1);
    if (buf == NULL) {
        cp_errf(err, "%.400s: out of memory reading %s", path, what);
        close(fd);
        return NULL;
    }
    for (;;) {   /* the file may have grown since fstat: read to EOF, within the cap */
        if (n == bufcap) {
            if (bufcap > cap) {
                cp_errf(err, "%.400s:1: %s larger than %zu bytes", path, what, cap);
                free(buf);
                close(fd);
                return NULL;
            }
            size_t nc = bufcap * 2 > cap + 1 ? cap + 1 : bufcap * 2;
            if (nc <= bufcap)
                nc = bufcap + 1;
            char *nb = realloc(buf, nc + 1);
            if (nb == NULL) {
                cp_errf(err, "%.400s: out of memory reading %s", path, what);
                free(buf);
                close(fd);
                return NULL;
            }
            buf = nb;
            bufcap = nc;
        }
        ssize_t r = read(fd, buf + n, bufcap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            cp_errf(err, "%.400s: cannot read %s (%s)", path, what, strerror(errno));
            free(buf);
            close(fd);
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t) r;
    }
    close(fd);
    if (n > cap) {
        cp_errf(err, "%.400s:1: %s larger than %zu bytes", path, what, cap);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    const char *z = memchr(buf, '\0', n);
    if (z != NULL) {
        int line = 1;
        for (const char *p = buf; p < z; p++)
            line += *p == '\n';
        cp_errf(err, "%.400s:%d: %s contains a NUL byte", path, line, what);
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}
