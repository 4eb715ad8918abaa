/* output.c -- enclosure printing and atomic file output (output.h). */
#include <errno.h>
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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
 * (docs/design.md, "Bad input" and "Faults"): a report is complete or absent. */
#define CP_MAX_ACTIVE 8
static char active_tmp[CP_MAX_ACTIVE][1100];

static void on_fatal_signal(int sig)
{
    for (int i = 0; i < CP_MAX_ACTIVE; i++)
        if (active_tmp[i][0])
            unlink(active_tmp[i]);          /* async-signal-safe */
    signal(sig, SIG_DFL);
    raise(sig);
}

static FLINT_NORETURN void on_flint_abort(void)
{
    static const char msg[] = "crossproof: stopped by FLINT (see the message above; "
                              "usually out of memory)\n";
    for (int i = 0; i < CP_MAX_ACTIVE; i++)
        if (active_tmp[i][0])
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

static void track(const char *tmp, int add)
{
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    for (int i = 0; i < CP_MAX_ACTIVE; i++) {
        if (add && active_tmp[i][0] == '\0') {
            snprintf(active_tmp[i], sizeof active_tmp[i], "%s", tmp);
            break;
        }
        if (!add && strcmp(active_tmp[i], tmp) == 0) {
            active_tmp[i][0] = '\0';
            break;
        }
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
}

int cp_atomic_open(cp_atomic_file *af, const char *path, char *err)
{
    memset(af, 0, sizeof *af);
    snprintf(af->path, sizeof af->path, "%s", path);
    snprintf(af->tmp, sizeof af->tmp, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(af->tmp);
    if (fd < 0) {
        cp_errf(err, "%s: cannot write (%s)", path, strerror(errno));
        return -1;
    }
    track(af->tmp, 1);
    af->f = fdopen(fd, "w");
    if (af->f == NULL) {
        close(fd);
        unlink(af->tmp);
        track(af->tmp, 0);
        cp_errf(err, "%s: cannot write (%s)", path, strerror(errno));
        return -1;
    }
    return 0;
}

void cp_atomic_abort(cp_atomic_file *af)
{
    if (af->f) {
        fclose(af->f);
        af->f = NULL;
        unlink(af->tmp);
        track(af->tmp, 0);
    }
}

int cp_atomic_close(cp_atomic_file *af, char *err)
{
    int bad = ferror(af->f) != 0;
    bad |= fflush(af->f) != 0;
    bad |= fsync(fileno(af->f)) != 0 && errno != EINVAL;
    int saved = errno;
    bad |= fclose(af->f) != 0;
    af->f = NULL;
    if (!bad) {
        /* keep the permissions a normal fopen would have given */
        mode_t mask = umask(0);
        umask(mask);
        chmod(af->tmp, 0666 & ~mask);
    }
    if (bad || rename(af->tmp, af->path) != 0) {
        if (!bad)
            saved = errno;
        unlink(af->tmp);
        track(af->tmp, 0);
        cp_errf(err, "%s: write failed (%s)", af->path, strerror(saved ? saved : EIO));
        return -1;
    }
    track(af->tmp, 0);
    return 0;
}
