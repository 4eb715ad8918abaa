/* output.h -- printing enclosures and writing files safely. */
#ifndef CROSSPROOF_OUTPUT_H
#define CROSSPROOF_OUTPUT_H

#include <stdio.h>
#include "crossproof/arbcompat.h"

/* Decimal bounds of x rounded outward (lower rounded down, upper rounded
 * up) with `digits` significant digits: [lo, hi] contains the ball.
 * Returns 0, or -1 when x is not finite (then "-inf" / "+inf"). */
int cp_arb_bounds_str(char *lo, char *hi, size_t n, const arb_t x, slong digits);
/* Human form "mid +/- rad" (Arb's decimal printing, which is itself an
 * enclosure). Caller frees with flint_free. */
char *cp_arb_human(const arb_t x, slong digits);
/* The same form written into buf (at most n bytes, truncated if longer). */
void cp_arb_human_buf(char *buf, size_t n, const arb_t x, slong digits);
/* Number of correct decimal digits suggested by the relative accuracy. */
slong cp_arb_digits(const arb_t x);
/* JSON string escape of s to f, with the quotes. */
void cp_json_string(FILE *f, const char *s);

/* Output files (docs/soundness.md, "Defect classes"): cp_atomic_open
 * resolves `path` first.
 *  - a regular file, or a name that does not exist yet: written to a
 *    temporary file in the same directory, fsync'ed and renamed over the
 *    path at cp_atomic_close; an existing file keeps its permission bits;
 *  - a symbolic link: followed (up to 40 links) and its final target
 *    replaced in the same way; the link itself stays;
 *  - a character or block device, a FIFO or another non-regular file, and
 *    "-" (standard output): written directly, never unlinked or renamed;
 *  - a directory: an error.
 * Every write is checked: cp_atomic_close fails (err set, temporary file
 * removed, the old file untouched) when any write, the flush, fsync or the
 * close failed.  Names have no length limit below PATH_MAX.
 * cp_atomic_abort drops the temporary file (a direct write cannot be undone). */
typedef struct {
    FILE *f;
    char *path;     /* as given */
    char *target;   /* the file that is replaced or written */
    char *tmp;      /* temporary file, NULL when writing directly */
    int direct;     /* 1: device, FIFO, ...; 2: standard output */
    int have_mode;
    unsigned mode;  /* permission bits of the file being replaced */
    int uid, gid;
} cp_atomic_file;
int cp_atomic_open(cp_atomic_file *af, const char *path, char *err);
int cp_atomic_close(cp_atomic_file *af, char *err);
void cp_atomic_abort(cp_atomic_file *af);
/* Checks, before any work starts, that cp_atomic_open(path) can succeed:
 * not a directory, the directory exists and is writable (a device or FIFO:
 * writable).  Returns 0, or -1 with "PATH: ..." in err.  Creates nothing. */
int cp_output_check(const char *path, char *err);
/* Flushes and closes standard output; returns 0, or -1 after printing
 * "crossproof: standard output: write failed (...)" (a full disk, EPIPE). */
int cp_stdout_close(void);

/* Reads a whole input file that must be a regular file of at most `cap`
 * bytes without a NUL byte (docs/soundness.md, "Defect classes").  A
 * directory, device, FIFO or socket is refused without blocking.  `what`
 * names the file in messages ("theorem file", "--config").  Returns the
 * NUL-terminated text (free with free) with *len set, or NULL with err set
 * to "PATH: ..." or "PATH:LINE: ..." (the NUL byte's line). */
char *cp_read_regular(const char *path, size_t cap, const char *what, size_t *len, char *err);

/* Called once by main(): SIGINT/SIGTERM/SIGHUP remove the temporary files
 * of unfinished atomic writes before the program dies; SIGXFSZ is ignored
 * so that a file-size limit is a reported write error; a FLINT abort (out of
 * memory) prints one line and exits with code 3. */
void cp_install_handlers(void);

#endif
