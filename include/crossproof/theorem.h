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
    char mutate[256];      /* reserved key `mutate`: how to falsify the claim
                              (operators of `crossproof mutate`), or "" */
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
/* The same from memory: text[0..len) (need not be NUL-terminated) is parsed
 * as the file `path` (used in messages and as the claims' origin).  The
 * same limits as a file: NUL bytes and more than 8 MiB are rejected.  The
 * text is copied; cp_theorem_load reads the file and calls this. */
int cp_theorem_parse(cp_theorem *th, const char *path, const char *text, size_t len, char *err);
void cp_theorem_clear(cp_theorem *th);

/* The .md files of theorems/ (relative to the working directory), sorted.
 * Returns the count (the array is allocated) or -1 when there is no such
 * directory.  Free with cp_files_free. */
int cp_theorem_default_files(char ***out);
void cp_files_free(char **files, int n);
/* Loads every file and checks that claim ids are unique across them.  On
 * error prints the one-line message to stderr and returns -1 (nothing
 * left allocated); else *ths holds *nth loaded files. */
int cp_theorem_load_all(cp_theorem **ths, int *nth, char **files, int nfiles);
/* The command-line form: `files` (nfiles names, malloc'ed, the array too) are
 * taken over and freed; no names means the .md files of theorems/.  On error prints one
 * line naming the command `cmd` or the file:line and returns -1. */
int cp_theorem_open_args(cp_theorem **ths, int *nth, char **files, int nfiles, const char *cmd);
void cp_theorem_free_all(cp_theorem *ths, int nth);

#endif
