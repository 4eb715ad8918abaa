/* theorem.h -- literate theorem files (theorems/X.md).
 *
 * A theorem file is Markdown.  Each claim is a fenced block
 *
 *     ```check
 *     id    = lsa.gap.positive      (stable claim id, unique across files)
 *     check = lsa_gap_bound         (a registered check, see check.h)
 *     m_lo  = 0.5                   (parameters: key = value)
 *     ```
 *
 * Lines starting with '#' inside a block are comments.  The parser rejects
 * unknown keys, malformed values, unknown checks, duplicate ids and unclosed
 * fences with a one-line "file:line: message". */
#ifndef CROSSPROOF_THEOREM_H
#define CROSSPROOF_THEOREM_H

#include "crossproof/check.h"
#include "crossproof/kv.h"

typedef struct {
    char id[128];
    const cp_check_def *def;
    cp_kv params;          /* everything except id and check */
    int line_open;         /* line of the opening fence */
    int line_close;        /* line of the closing fence */
} cp_claim;

typedef struct {
    char path[1024];
    char title[256];       /* the first "# " heading */
    char *text;            /* the whole file, for the report */
    size_t len;
    cp_claim *claims;
    int nclaims;
} cp_theorem;

/* Loads and validates a theorem file.  Returns 0, or -1 with a one-line
 * "file:line: message" in err (and nothing allocated). */
int cp_theorem_load(cp_theorem *th, const char *path, char *err);
void cp_theorem_clear(cp_theorem *th);

#endif
