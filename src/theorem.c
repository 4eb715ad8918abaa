/* theorem.c -- parser for literate theorem files (theorem.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <stdint.h>
#include "crossproof/output.h"
#include "crossproof/claim.h"
#include "crossproof/theorem.h"

#define CP_MAX_THEOREM_BYTES (8 << 20)

/* Fences follow CommonMark: at most three spaces of indentation, then a run
 * of three or more backticks or tildes; a closing fence uses the same
 * character, at least as long a run, and nothing else.  A line indented four
 * or more spaces is indented code, never a fence.  (docs/design.md, "Bad
 * input": a block that looks like a check block but is not exactly
 * "```check" is an error, never skipped.) */
typedef struct {
    int indent;       /* leading spaces (a tab counts as four) */
    char ch;          /* '`' or '~'; 0 when the line is not a fence */
    int run;          /* length of the backtick or tilde run */
    const char *start; /* the first backtick or tilde */
    const char *info; /* the rest of the line (not trimmed) */
} fence_line;

static fence_line classify_fence(const char *line)
{
    fence_line f = { 0, 0, 0, "", "" };
    const char *q = line;
    while (*q == ' ' || *q == '\t') {
        f.indent += *q == '\t' ? 4 : 1;
        q++;
    }
    if (*q != '`' && *q != '~')
        return f;
    char c = *q;
    int run = 0;
    while (q[run] == c)
        run++;
    if (run < 3)
        return f;
    f.run = run;
    f.start = q;
    f.info = q + run;
    if (f.indent <= 3)
        f.ch = c;
    return f;
}

/* Whether an info string names the check language in any spelling other
 * than the exact one: "Check", "CHECK", "check {.attr}", "{.check}",
 * "check,x".  Its first word, lower-cased and stripped of braces, dots and
 * attribute punctuation, begins with "check". */
static int info_mentions_check(const char *info)
{
    while (isspace((unsigned char) *info) || *info == '{' || *info == '.')
        info++;
    return strncasecmp(info, "check", 5) == 0;
}

static int is_closing_fence(const char *line, char ch, int run)
{
    fence_line f = classify_fence(line);
    if (f.ch != ch || f.run < run)
        return 0;
    for (const char *q = f.info; *q; q++)
        if (!isspace((unsigned char) *q))
            return 0;
    return 1;
}

static int valid_id(const char *id)
{
    if (!*id || strlen(id) >= 128)
        return 0;
    for (; *id; id++)
        if (!(isalnum((unsigned char) *id) || strchr("._-", *id)))
            return 0;
    return 1;
}

void cp_theorem_clear(cp_theorem *th)
{
    for (int i = 0; i < th->nclaims; i++)
        cp_kv_clear(&th->claims[i].params);
    free(th->claims);
    free(th->text);
    memset(th, 0, sizeof *th);
}

/* The whole file, through the common reader (output.h): a regular file of
 * at most CP_MAX_THEOREM_BYTES without a NUL byte; a directory, device or
 * FIFO is refused without blocking (docs/soundness.md, "Defect classes").
 * Lines of any length are then split in memory, never cut. */
static char *read_file(const char *path, size_t *len, char *err)
{
    if (strlen(path) >= sizeof ((cp_theorem *) 0)->path) {
        cp_errf(err, "%.200s...: theorem file name longer than %zu bytes", path,
                sizeof ((cp_theorem *) 0)->path - 1);
        return NULL;
    }
    return cp_read_regular(path, CP_MAX_THEOREM_BYTES, "theorem file", len, err);
}

/* Claim ids seen so far, for the duplicate checks: open addressing on an
 * FNV-1a hash, so that they are linear in the number of claims.  They were
 * quadratic (every id compared with every earlier one): a valid theorem file
 * under the 8 MiB cap with 180000 minimal check blocks took more than five
 * minutes to load.  An entry names claim `claim` of ths[file]; ids are read
 * through ths because the claims array may move while a file is parsed. */
typedef struct { uint64_t h; int file, claim; } id_slot;   /* file < 0: empty */
typedef struct { id_slot *v; size_t cap, n; } id_set;

static uint64_t id_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char) *s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* Returns 1 with *df, *dc set when an entry already has the id of
 * ths[file].claims[claim]; else adds it and returns 0; -1 when out of memory. */
static int id_set_add(id_set *s, const cp_theorem *ths, int file, int claim, int *df, int *dc)
{
    if (2 * (s->n + 1) > s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        id_slot *v = malloc(cap * sizeof *v);
        if (v == NULL)
            return -1;
        for (size_t i = 0; i < cap; i++)
            v[i].file = -1;
        for (size_t i = 0; i < s->cap; i++)
            if (s->v[i].file >= 0) {
                size_t j = s->v[i].h & (cap - 1);
                while (v[j].file >= 0)
                    j = (j + 1) & (cap - 1);
                v[j] = s->v[i];
            }
        free(s->v);
        s->v = v;
        s->cap = cap;
    }
    const char *id = ths[file].claims[claim].id;
    uint64_t h = id_hash(id);
    size_t j = h & (s->cap - 1);
    for (; s->v[j].file >= 0; j = (j + 1) & (s->cap - 1))
        if (s->v[j].h == h && strcmp(ths[s->v[j].file].claims[s->v[j].claim].id, id) == 0) {
            *df = s->v[j].file;
            *dc = s->v[j].claim;
            return 1;
        }
    s->v[j].h = h;
    s->v[j].file = file;
    s->v[j].claim = claim;
    s->n++;
    return 0;
}

/* Keys every block has besides those of its check. */
static int validate_claim(cp_claim *c, const char *path, int check_line,
                          const char *check_name, char *err)
{
    if (c->id[0] == '\0') {
        cp_errf(err, "%.400s:%d: check block without 'id = ...'", path, c->line_open);
        return -1;
    }
    const cp_kv_entry *claim = cp_kv_find(&c->params, "claim");
    if (claim != NULL && check_name[0] != '\0') {
        cp_errf(err, "%.400s:%d: check block '%s' has both 'check = ...' and 'claim = ...' "
                 "(a block either names a check or states a claim)", path, claim->line, c->id);
        return -1;
    }
    if (claim != NULL) {
        c->def = &cp_claim_check;
        return cp_claim_validate(&c->params, err);
    }
    if (check_name[0] == '\0') {
        cp_errf(err, "%.400s:%d: check block '%s' without 'check = ...' or 'claim = ...'", path,
                 c->line_open, c->id);
        return -1;
    }
    c->def = cp_check_lookup(check_name);
    if (c->def == NULL) {
        cp_errf(err, "%.400s:%d: unknown check '%s' (see crossproof list --checks)",
                 path, check_line, check_name);
        return -1;
    }
    return cp_kv_validate(&c->params, c->def->keys, err);
}

int cp_theorem_load(cp_theorem *th, const char *path, char *err)
{
    size_t len = 0;
    char *text = read_file(path, &len, err);
    if (text == NULL) {
        memset(th, 0, sizeof *th);
        snprintf(th->path, sizeof th->path, "%s", path);
        return -1;
    }
    int rc = cp_theorem_parse(th, path, text, len, err);
    free(text);
    return rc;
}

int cp_theorem_parse(cp_theorem *th, const char *path, const char *text, size_t len, char *err)
{
    memset(th, 0, sizeof *th);
    snprintf(th->path, sizeof th->path, "%s", path);
    /* the same limits as read_file: at most 8 MiB, no NUL byte */
    if (len > CP_MAX_THEOREM_BYTES) {
        cp_errf(err, "%.400s:1: theorem file larger than %d bytes", path, CP_MAX_THEOREM_BYTES);
        return -1;
    }
    if (len > 0 && memchr(text, '\0', len) != NULL) {
        cp_errf(err, "%.400s:1: theorem file contains a NUL byte", path);
        return -1;
    }
    th->text = malloc(len + 1);
    if (th->text == NULL) {
        cp_errf(err, "%.400s: out of memory", path);
        return -1;
    }
    if (len > 0)
        memcpy(th->text, text, len);
    th->text[len] = '\0';
    th->len = len;

    char *copy = malloc(th->len + 1);
    if (copy == NULL) {
        cp_errf(err, "%.400s: out of memory", path);
        cp_theorem_clear(th);
        return -1;
    }
    memcpy(copy, th->text, th->len + 1);

    int lineno = 0, in_block = 0, in_other_fence = 0, cap = 0, rc = 0, other_run = 0;
    char other_ch = 0;
    int id_line = 0, check_line = 0, kr;
    char check_name[128] = "";
    cp_claim *cur = NULL;
    id_set ids = { NULL, 0, 0 };
    char *p = copy;
    /* split on '\n' by hand so that empty lines are counted */
    while (p != NULL && rc == 0) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        char *line = p;
        p = nl ? nl + 1 : NULL;
        if (p == NULL && *line == '\0')
            break;
        lineno++;
        size_t ll = strlen(line);
        if (ll > 0 && line[ll - 1] == '\r')
            line[ll - 1] = '\0';

        if (!in_block && !in_other_fence) {
            if (th->title[0] == '\0' && strncmp(line, "# ", 2) == 0)
                snprintf(th->title, sizeof th->title, "%s", cp_trim(line + 2));
            fence_line f = classify_fence(line);
            if (f.run == 0)
                continue;
            char info[256];
            snprintf(info, sizeof info, "%s", f.info);
            char *tinfo = cp_trim(info);
            if (f.ch == 0) {
                /* indented code: never run, and never silently */
                if (info_mentions_check(tinfo)) {
                    cp_errf(err, "%.400s:%d: an indented '%.3s%.60s' is Markdown code, not a check "
                             "block; start the line with ```check to run it", path, lineno,
                             f.start, tinfo);
                    rc = -1;
                    break;
                }
                continue;
            }
            {
                int exact = f.ch == '`' && f.run == 3 && f.indent == 0 && strcmp(tinfo, "check") == 0;
                if (!exact && info_mentions_check(tinfo)) {
                    cp_errf(err, "%.400s:%d: '%.*s%.60s' looks like a check block but is not one; "
                             "a check block opens with exactly ```check at the start of the line",
                             path, lineno, f.run > 8 ? 8 : f.run, f.start, tinfo);
                    rc = -1;
                    break;
                }
                if (exact) {
                    if (th->nclaims == cap) {
                        cap = cap ? 2 * cap : 8;
                        cp_claim *nc = realloc(th->claims, (size_t) cap * sizeof *nc);
                        if (nc == NULL) {
                            cp_errf(err, "%.400s: out of memory", path);
                            rc = -1;
                            break;
                        }
                        th->claims = nc;
                    }
                    cur = &th->claims[th->nclaims++];
                    memset(cur, 0, sizeof *cur);
                    cp_kv_init(&cur->params, path);
                    cur->line_open = lineno;
                    check_name[0] = '\0';
                    id_line = check_line = 0;
                    in_block = 1;
                } else {
                    in_other_fence = 1;
                    other_ch = f.ch;
                    other_run = f.run;
                }
            }
            continue;
        }
        if (in_other_fence) {
            if (is_closing_fence(line, other_ch, other_run))
                in_other_fence = 0;
            continue;
        }
        /* inside a check block */
        if (is_closing_fence(line, '`', 3) && classify_fence(line).run == 3) {
            cur->line_close = lineno;
            in_block = 0;
            rc = validate_claim(cur, path, check_line, check_name, err);
            if (rc == 0) {
                int df, dc, r = id_set_add(&ids, th, 0, th->nclaims - 1, &df, &dc);
                if (r < 0) {
                    cp_errf(err, "%.400s: out of memory", path);
                    rc = -1;
                } else if (r > 0) {
                    cp_errf(err, "%.400s:%d: duplicate claim id '%s' (first at line %d)",
                             path, id_line, cur->id, th->claims[dc].line_open);
                    rc = -1;
                }
            }
            continue;
        }
        if (classify_fence(line).ch != 0) {
            cp_errf(err, "%.400s:%d: a check block (opened at line %d) closes with a line of "
                     "exactly ```", path, lineno, cur->line_open);
            rc = -1;
            break;
        }
        char *t = cp_trim(line);
        if (*t == '\0' || *t == '#')
            continue;
        char *eq = strchr(t, '=');
        if (eq == NULL) {
            cp_errf(err, "%.400s:%d: expected 'key = value'", path, lineno);
            rc = -1;
            break;
        }
        *eq = '\0';
        char *key = cp_trim(t), *val = cp_trim(eq + 1);
        if (*key == '\0' || *val == '\0') {
            cp_errf(err, "%.400s:%d: expected 'key = value'", path, lineno);
            rc = -1;
            break;
        }
        if ((strcmp(key, "id") == 0 && id_line) || (strcmp(key, "check") == 0 && check_line)) {
            cp_errf(err, "%.400s:%d: key '%s' given twice", path, lineno, key);
            rc = -1;
            break;
        }
        if (strcmp(key, "id") == 0) {
            if (!valid_id(val)) {
                cp_errf(err, "%.400s:%d: malformed claim id '%.100s' (letters, digits, . _ -)",
                         path, lineno, val);
                rc = -1;
                break;
            }
            snprintf(cur->id, sizeof cur->id, "%s", val);
            id_line = lineno;
        } else if (strcmp(key, "check") == 0) {
            snprintf(check_name, sizeof check_name, "%s", val);
            check_line = lineno;
        } else if (strcmp(key, "mutate") == 0) {
            /* reserved: read by `crossproof mutate`, ignored by the check */
            if (strlen(val) >= sizeof cur->mutate) {
                cp_errf(err, "%.400s:%d: mutate line too long", path, lineno);
                rc = -1;
                break;
            }
            snprintf(cur->mutate, sizeof cur->mutate, "%s", val);
        } else if ((kr = cp_kv_set(&cur->params, key, val, lineno, 0)) != 0) {
            if (kr == -2)
                cp_errf(err, "%.400s:%d: more than %d keys in one check block", path, lineno, CP_MAX_KEYS);
            else
                cp_errf(err, "%.400s:%d: key '%s' given twice", path, lineno, key);
            rc = -1;
            break;
        }
    }
    free(copy);
    free(ids.v);
    if (rc == 0 && in_block) {
        cp_errf(err, "%.400s:%d: unclosed ```check fence", path, cur->line_open);
        rc = -1;
    }
    if (rc == 0 && in_other_fence) {
        cp_errf(err, "%.400s:%d: unclosed code fence", path, lineno);
        rc = -1;
    }
    if (rc != 0)
        cp_theorem_clear(th);
    return rc;
}

/* --- several files ------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

int cp_theorem_default_files(char ***out)
{
    DIR *d = opendir("theorems");
    if (d == NULL)
        return -1;
    int n = 0, cap = 16;
    char **v = malloc((size_t) cap * sizeof *v);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".md") != 0 || e->d_name[0] == '.')
            continue;
        if (n == cap)
            v = realloc(v, (size_t) (cap *= 2) * sizeof *v);
        v[n] = malloc(len + 10);
        snprintf(v[n], len + 10, "theorems/%s", e->d_name);
        n++;
    }
    closedir(d);
    qsort(v, (size_t) n, sizeof *v, cmp_str);
    *out = v;
    return n;
}

void cp_files_free(char **v, int n)
{
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

int cp_theorem_load_all(cp_theorem **ths, int *nth, char **files, int nfiles)
{
    char err[CP_ERRLEN];
    cp_theorem *t = calloc((size_t) (nfiles ? nfiles : 1), sizeof *t);
    id_set ids = { NULL, 0, 0 };
    for (int i = 0; i < nfiles; i++) {
        if (cp_theorem_load(&t[i], files[i], err) != 0) {
            fprintf(stderr, "crossproof: %s\n", err);
            for (int j = 0; j < i; j++)
                cp_theorem_clear(&t[j]);
            free(t);
            free(ids.v);
            return -1;
        }
        /* claim ids are unique across all files (within one file the parser
         * has checked it, so a hit is always in an earlier file) */
        for (int c = 0; c < t[i].nclaims; c++) {
            int j, k, r = id_set_add(&ids, t, i, c, &j, &k);
            if (r != 0) {
                if (r < 0)
                    fprintf(stderr, "crossproof: out of memory\n");
                else
                    fprintf(stderr, "crossproof: %s:%d: claim id '%s' already used at %s:%d\n",
                            t[i].path, t[i].claims[c].line_open, t[i].claims[c].id,
                            t[j].path, t[j].claims[k].line_open);
                for (int m = 0; m <= i; m++)
                    cp_theorem_clear(&t[m]);
                free(t);
                free(ids.v);
                return -1;
            }
        }
    }
    free(ids.v);
    *ths = t;
    *nth = nfiles;
    return 0;
}


int cp_theorem_open_args(cp_theorem **ths, int *nth, char **files, int nfiles, const char *cmd)
{
    if (nfiles == 0) {
        free(files);
        nfiles = cp_theorem_default_files(&files);
        if (nfiles <= 0) {
            fprintf(stderr, "crossproof %s: no theorem files given and none in theorems/\n", cmd);
            if (nfiles == 0)
                free(files);
            return -1;
        }
    }
    int rc = cp_theorem_load_all(ths, nth, files, nfiles);
    cp_files_free(files, nfiles);
    return rc;
}

void cp_theorem_free_all(cp_theorem *ths, int nth)
{
    for (int t = 0; t < nth; t++)
        cp_theorem_clear(&ths[t]);
    free(ths);
}
