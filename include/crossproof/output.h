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

/* Atomic output: write to a temporary file next to `path`, then rename.
 * cp_atomic_open returns NULL with err set when the directory is not
 * writable.  cp_atomic_close flushes and renames (returns 0), or removes
 * the temporary file and sets err (full disk, I/O error). */
typedef struct {
    FILE *f;
    char path[1024];
    char tmp[1100];
} cp_atomic_file;
int cp_atomic_open(cp_atomic_file *af, const char *path, char *err);
int cp_atomic_close(cp_atomic_file *af, char *err);
void cp_atomic_abort(cp_atomic_file *af);

/* Called once by main(): SIGINT/SIGTERM/SIGHUP remove the temporary files
 * of unfinished atomic writes before the program dies; SIGXFSZ is ignored
 * so that a file-size limit is a reported write error; a FLINT abort (out of
 * memory) prints one line and exits with code 3. */
void cp_install_handlers(void);

#endif
