/* claim.c -- the claim language (claim.h): parser, evaluator over the
 * quantity registry, universal quantification over lists and certified
 * region claims by bisection (docs/design.md, "Claims"; the enclosures
 * over boxes are docs/model.md section 10). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "crossproof/claim.h"
#include "crossproof/output.h"
#include "crossproof/quantity.h"

#define MAX_NODES 256
#define MAX_TOKENS 512
#define DEFAULT_BOXES 20000
#define MAX_BOXES 10000000
#define MAX_INSTANCES 1000000
/* Region claims start every box at 32 bits (one limb): a box's enclosure is
 * as wide as the spread of the quantity over the box, far above the rounding
 * of 32-bit balls, and the precision still doubles where a box's midpoint is
 * undecided (decide_sub).  Point claims start at the runner's precision. */
#define REGION_PREC 32
/* Region claims over lists: every sub-claim but each WARM_RESTART-th starts
 * from the previous one's certified leaves (decide_sub). */
#define WARM_RESTART 16
#define MAX_TABLE_ROWS 64     /* the report tabulates the instances of a claim with at most this many */

/* --- tokens -------------------------------------------------------------- */

typedef enum { T_END, T_NUM, T_WORD, T_PUNCT } tok_kind;
typedef struct {
    tok_kind k;
    char s[96];
    int pos;                  /* offset in the claim text */
} token;

/* --- syntax tree ---------------------------------------------------------- */

typedef enum {
    N_NUM, N_QTY, N_VAR, N_NEG, N_ADD, N_SUB, N_MUL, N_DIV, N_POW,
    N_ABS, N_SQRT, N_LOG, N_EXP
} node_kind;

typedef struct node {
    node_kind k;
    struct node *a, *b;
    fmpq_t q;                 /* N_NUM: the exact value */
    const cp_quantity_def *qd; /* N_QTY */
    char name[64];            /* N_QTY, N_VAR */
    char args[8][2][64];      /* N_QTY call arguments KEY = VALUE */
    int nargs;
} node;

typedef enum { F_CMP, F_IN, F_MONO } claim_form;
typedef enum { R_LT, R_LE, R_GT, R_GE } rel_kind;

/* How a block key enters the claim. */
typedef enum { K_POINT, K_LIST, K_INTERVAL, K_PASS } key_role;

typedef struct {
    char key[32];
    key_role role;
    int line;
    fmpq_t lo, hi;            /* K_INTERVAL */
    char **items;             /* K_LIST: the values as text */
    slong nitems;
    int leader;               /* K_LIST named in `pair` after the first: the first's index, else -1 */
    int var_only;             /* used by the expression only, never by a quantity */
} key_info;

typedef struct {
    node pool[MAX_NODES];
    int nnodes;
    token tok[MAX_TOKENS];
    int ntok, at;
    const char *text;
    char *err;
    const cp_kv *kv;
    int line;                 /* line of the claim */
    claim_form form;
    rel_kind rel;
    int strict;               /* F_MONO: increasing / decreasing (1) or non- (0) */
    int up;                   /* F_MONO: increasing (1) or decreasing (0) */
    node *lhs, *rhs, *lo, *hi;
    char lhs_text[512], rhs_text[512], lo_text[256], hi_text[256];
    char mono_word[24], mono_key[32];
    key_info keys[CP_MAX_KEYS];
    int nkeys;
    slong boxes;
} claim;

static int cerr(claim *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int cerr(claim *c, const char *fmt, ...)
{
    char msg[CP_ERRLEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->kv->origin[0] && c->line > 0)
        cp_errf(c->err, "%s:%d: %s", c->kv->origin, c->line, msg);
    else
        cp_errf(c->err, "claim: %s", msg);
    return -1;
}

static int is_word_start(int ch) { return isalpha(ch) || ch == '_'; }
static int is_word_char(int ch) { return isalnum(ch) || ch == '_'; }

static int lex(claim *c)
{
    const char *s = c->text;
    int i = 0;
    c->ntok = 0;
    for (;;) {
        while (s[i] && isspace((unsigned char) s[i]))
            i++;
        if (c->ntok == MAX_TOKENS - 1)
            return cerr(c, "claim too long (more than %d tokens)", MAX_TOKENS - 1);
        token *t = &c->tok[c->ntok];
        t->pos = i;
        if (s[i] == '\0' || s[i] == '#') {
            t->k = T_END;
            t->s[0] = '\0';
            c->ntok++;
            return 0;
        }
        int j = i;
        if (isdigit((unsigned char) s[i]) || (s[i] == '.' && isdigit((unsigned char) s[i + 1]))) {
            while (isdigit((unsigned char) s[j]) || s[j] == '.')
                j++;
            if ((s[j] == 'e' || s[j] == 'E')
                && (isdigit((unsigned char) s[j + 1])
                    || ((s[j + 1] == '-' || s[j + 1] == '+') && isdigit((unsigned char) s[j + 2])))) {
                j += 2;
                while (isdigit((unsigned char) s[j]))
                    j++;
            }
            if (is_word_char((unsigned char) s[j]))
                return cerr(c, "malformed number at '%.20s'", s + i);
            t->k = T_NUM;
        } else if (is_word_start((unsigned char) s[i])) {
            /* a '-' joins a word only between word characters: lsa-gap is one
             * word, "a - b" and "a -b" are subtractions */
            while (is_word_char((unsigned char) s[j])
                   || (s[j] == '-' && j > i && is_word_char((unsigned char) s[j - 1])
                       && is_word_start((unsigned char) s[j + 1])))
                j++;
            t->k = T_WORD;
        } else {
            static const char *two[] = { "<=", ">=", NULL };
            t->k = T_PUNCT;
            j = i + 1;
            for (int k = 0; two[k]; k++)
                if (strncmp(s + i, two[k], 2) == 0)
                    j = i + 2;
            if (!strchr("()[]|,+-*/^<>=", s[i]))
                return cerr(c, "unexpected character '%c' in the claim", s[i]);
        }
        if (j - i >= (int) sizeof t->s)
            return cerr(c, "token too long: '%.40s...'", s + i);
        memcpy(t->s, s + i, (size_t) (j - i));
        t->s[j - i] = '\0';
        c->ntok++;
        i = j;
    }
}

/* strlcpy: names and tokens live in the same struct (no snprintf aliasing). */
static void copy_word(char *dst, size_t n, const char *src)
{
    size_t l = strlen(src);
    if (l >= n)
        l = n - 1;
    memmove(dst, src, l);
    dst[l] = '\0';
}

static token *peek(claim *c) { return &c->tok[c->at]; }
static int accept(claim *c, const char *p)
{
    token *t = peek(c);
    if ((t->k == T_PUNCT || t->k == T_WORD) && strcmp(t->s, p) == 0) {
        c->at++;
        return 1;
    }
    return 0;
}
static int expect(claim *c, const char *p)
{
    if (accept(c, p))
        return 0;
    token *t = peek(c);
    return cerr(c, "expected '%s' %s%s%s", p, t->k == T_END ? "at the end of the claim" : "before '",
                t->k == T_END ? "" : t->s, t->k == T_END ? "" : "'");
}

static node *new_node(claim *c, node_kind k, node *a, node *b)
{
    if (c->nnodes == MAX_NODES) {
        cerr(c, "claim too long (more than %d terms)", MAX_NODES);
        return NULL;
    }
    node *n = &c->pool[c->nnodes++];
    memset(n, 0, sizeof *n);
    fmpq_init(n->q);
    n->k = k;
    n->a = a;
    n->b = b;
    return n;
}

/* Folds arithmetic on two exact numbers, so that 1/100 is the rational. */
static node *fold(claim *c, node *n)
{
    if (n == NULL)
        return NULL;
    int ca = n->a && n->a->k == N_NUM, cb = n->b && n->b->k == N_NUM;
    switch (n->k) {
    case N_NEG: if (ca) { fmpq_neg(n->q, n->a->q); n->k = N_NUM; } break;
    case N_ADD: if (ca && cb) { fmpq_add(n->q, n->a->q, n->b->q); n->k = N_NUM; } break;
    case N_SUB: if (ca && cb) { fmpq_sub(n->q, n->a->q, n->b->q); n->k = N_NUM; } break;
    case N_MUL: if (ca && cb) { fmpq_mul(n->q, n->a->q, n->b->q); n->k = N_NUM; } break;
    case N_DIV:
        if (cb && fmpq_is_zero(n->b->q)) {
            cerr(c, "division by zero in the claim");
            return NULL;
        }
        if (ca && cb) { fmpq_div(n->q, n->a->q, n->b->q); n->k = N_NUM; }
        break;
    case N_ABS: if (ca) { fmpq_abs(n->q, n->a->q); n->k = N_NUM; } break;
    default: break;
    }
    return n;
}

static node *parse_expr(claim *c);

static node *parse_call(claim *c, node *n)
{
    /* QUANTITY(KEY = VALUE, ...) */
    if (!accept(c, "("))
        return n;
    do {
        token *k = peek(c);
        if (k->k != T_WORD)
            return cerr(c, "expected KEY = VALUE in the arguments of '%s'", n->name), NULL;
        c->at++;
        if (expect(c, "=") != 0)
            return NULL;
        char val[64] = "";
        int neg = accept(c, "-");
        token *v = peek(c);
        if (v->k != T_NUM && v->k != T_WORD)
            return cerr(c, "expected a value for %s in the arguments of '%s'", k->s, n->name), NULL;
        c->at++;
        snprintf(val, sizeof val, "%s%s", neg ? "-" : "", v->s);
        if (accept(c, "/")) {
            token *d = peek(c);
            if (d->k != T_NUM)
                return cerr(c, "expected a denominator after '%s/'", val), NULL;
            c->at++;
            size_t l = strlen(val);
            snprintf(val + l, sizeof val - l, "/%s", d->s);
        }
        if (n->nargs == 8)
            return cerr(c, "more than 8 arguments to '%s'", n->name), NULL;
        for (int i = 0; i < n->nargs; i++)
            if (strcmp(n->args[i][0], k->s) == 0)
                return cerr(c, "argument %s given twice to '%s'", k->s, n->name), NULL;
        const cp_key_spec *s = n->qd->keys;
        while (s->name && strcmp(s->name, k->s) != 0)
            s++;
        if (s->name == NULL)
            return cerr(c, "quantity '%s' has no parameter '%s'", n->name, k->s), NULL;
        copy_word(n->args[n->nargs][0], 64, k->s);
        snprintf(n->args[n->nargs][1], 64, "%s", val);
        n->nargs++;
    } while (accept(c, ","));
    if (expect(c, ")") != 0)
        return NULL;
    return n;
}

static node *parse_atom(claim *c)
{
    token *t = peek(c);
    if (t->k == T_NUM) {
        node *n = new_node(c, N_NUM, NULL, NULL);
        if (n == NULL)
            return NULL;
        if (cp_parse_rat(n->q, t->s) != 0)
            return cerr(c, "malformed number '%s'", t->s), NULL;
        c->at++;
        return n;
    }
    if (accept(c, "(")) {
        node *n = parse_expr(c);
        if (n == NULL || expect(c, ")") != 0)
            return NULL;
        return n;
    }
    if (accept(c, "|")) {
        node *a = parse_expr(c);
        if (a == NULL || expect(c, "|") != 0)
            return NULL;
        return fold(c, new_node(c, N_ABS, a, NULL));
    }
    if (t->k == T_WORD) {
        static const struct { const char *w; node_kind k; } fn[] = {
            { "sqrt", N_SQRT }, { "log", N_LOG }, { "exp", N_EXP }, { NULL, N_NUM }
        };
        static const char *reserved[] = { "in", "increasing", "decreasing", "nondecreasing",
                                          "nonincreasing", NULL };
        for (int i = 0; fn[i].w; i++)
            if (strcmp(t->s, fn[i].w) == 0) {
                c->at++;
                if (expect(c, "(") != 0)
                    return NULL;
                node *a = parse_expr(c);
                if (a == NULL || expect(c, ")") != 0)
                    return NULL;
                return new_node(c, fn[i].k, a, NULL);
            }
        for (int i = 0; reserved[i]; i++)
            if (strcmp(t->s, reserved[i]) == 0)
                return cerr(c, "'%s' where a value was expected", t->s), NULL;
        const cp_quantity_def *q = cp_quantity_lookup(t->s);
        node *n = new_node(c, q ? N_QTY : N_VAR, NULL, NULL);
        if (n == NULL)
            return NULL;
        copy_word(n->name, sizeof n->name, t->s);
        n->qd = q;
        c->at++;
        if (q == NULL) {
            if (cp_kv_find(c->kv, t->s) == NULL) {
                if (strchr(t->s, '-'))
                    return cerr(c, "unknown word '%s': not a quantity (crossproof list --quantities) "
                                "nor a parameter of this block (write spaces around '-' for a "
                                "subtraction)", t->s), NULL;
                return cerr(c, "unknown word '%s': not a quantity (crossproof list --quantities) "
                            "nor a parameter of this block", t->s), NULL;
            }
            if (peek(c)->k == T_PUNCT && strcmp(peek(c)->s, "(") == 0)
                return cerr(c, "'%s' is a parameter, not a quantity: it takes no arguments", t->s), NULL;
            return n;
        }
        return parse_call(c, n);
    }
    if (t->k == T_END)
        return cerr(c, "the claim ends where a value was expected"), NULL;
    return cerr(c, "unexpected '%s' where a value was expected", t->s), NULL;
}

static node *parse_unary(claim *c);

static node *parse_power(claim *c)
{
    node *a = parse_atom(c);
    if (a == NULL)
        return NULL;
    if (accept(c, "^")) {
        node *b = parse_unary(c);
        if (b == NULL)
            return NULL;
        node *n = new_node(c, N_POW, a, b);
        if (n && a->k == N_NUM && b->k == N_NUM && fmpz_is_one(fmpq_denref(b->q))
            && fmpz_cmp_si(fmpq_numref(b->q), 64) <= 0 && fmpz_cmp_si(fmpq_numref(b->q), -64) >= 0) {
            slong e = fmpz_get_si(fmpq_numref(b->q));
            if (e < 0 && fmpq_is_zero(a->q))
                return cerr(c, "0 to a negative power in the claim"), NULL;
            fmpq_pow_si(n->q, a->q, e);
            n->k = N_NUM;
        }
        return n;
    }
    return a;
}

static node *parse_unary(claim *c)
{
    if (accept(c, "-")) {
        node *a = parse_unary(c);
        return a ? fold(c, new_node(c, N_NEG, a, NULL)) : NULL;
    }
    return parse_power(c);
}

static node *parse_term(claim *c)
{
    node *a = parse_unary(c);
    while (a) {
        if (accept(c, "*"))
            a = fold(c, new_node(c, N_MUL, a, parse_unary(c)));
        else if (accept(c, "/"))
            a = fold(c, new_node(c, N_DIV, a, parse_unary(c)));
        else
            break;
        if (a && a->b == NULL)
            return NULL;
    }
    return a;
}

static node *parse_expr(claim *c)
{
    node *a = parse_term(c);
    while (a) {
        if (accept(c, "+"))
            a = fold(c, new_node(c, N_ADD, a, parse_term(c)));
        else if (accept(c, "-"))
            a = fold(c, new_node(c, N_SUB, a, parse_term(c)));
        else
            break;
        if (a && a->b == NULL)
            return NULL;
    }
    return a;
}

static void text_between(char *out, size_t n, const char *text, int from, int to)
{
    while (from < to && isspace((unsigned char) text[from]))
        from++;
    while (to > from && isspace((unsigned char) text[to - 1]))
        to--;
    snprintf(out, n, "%.*s", to - from, text + from);
}

/* The number of quantity nodes under n, and the last one seen. */
static int count_quantities(const node *n, const node **last)
{
    if (n == NULL)
        return 0;
    int k = n->k == N_QTY;
    if (k)
        *last = n;
    return k + count_quantities(n->a, last) + count_quantities(n->b, last);
}

/* Whether node n (or a sub-node) mentions a quantity. */
static int has_quantity(const node *n)
{
    return n && (n->k == N_QTY || has_quantity(n->a) || has_quantity(n->b));
}

static int parse_claim(claim *c)
{
    if (lex(c) != 0)
        return -1;
    c->at = 0;
    int start = peek(c)->pos;
    c->lhs = parse_expr(c);
    if (c->lhs == NULL)
        return -1;
    text_between(c->lhs_text, sizeof c->lhs_text, c->text, start, peek(c)->pos);
    token *t = peek(c);
    static const struct { const char *w; int strict, up; } mono[] = {
        { "increasing", 1, 1 }, { "decreasing", 1, 0 },
        { "nondecreasing", 0, 1 }, { "nonincreasing", 0, 0 }, { NULL, 0, 0 }
    };
    for (int i = 0; mono[i].w; i++)
        if (t->k == T_WORD && strcmp(t->s, mono[i].w) == 0) {
            c->at++;
            c->form = F_MONO;
            c->strict = mono[i].strict;
            c->up = mono[i].up;
            snprintf(c->mono_word, sizeof c->mono_word, "%s", mono[i].w);
            if (expect(c, "in") != 0)
                return -1;
            token *k = peek(c);
            if (k->k != T_WORD)
                return cerr(c, "expected a parameter after '%s in'", mono[i].w);
            copy_word(c->mono_key, sizeof c->mono_key, k->s);
            c->at++;
            goto end;
        }
    if (t->k == T_WORD && strcmp(t->s, "in") == 0) {
        c->at++;
        c->form = F_IN;
        if (expect(c, "[") != 0)
            return -1;
        int p = peek(c)->pos;
        if ((c->lo = parse_expr(c)) == NULL)
            return -1;
        text_between(c->lo_text, sizeof c->lo_text, c->text, p, peek(c)->pos);
        if (expect(c, ",") != 0)
            return -1;
        p = peek(c)->pos;
        if ((c->hi = parse_expr(c)) == NULL)
            return -1;
        text_between(c->hi_text, sizeof c->hi_text, c->text, p, peek(c)->pos);
        if (expect(c, "]") != 0)
            return -1;
        goto end;
    }
    static const struct { const char *w; rel_kind r; } rels[] = {
        { "<", R_LT }, { "<=", R_LE }, { ">", R_GT }, { ">=", R_GE }, { NULL, R_LT }
    };
    for (int i = 0; rels[i].w; i++)
        if (t->k == T_PUNCT && strcmp(t->s, rels[i].w) == 0) {
            c->at++;
            c->form = F_CMP;
            c->rel = rels[i].r;
            int p = peek(c)->pos;
            if ((c->rhs = parse_expr(c)) == NULL)
                return -1;
            text_between(c->rhs_text, sizeof c->rhs_text, c->text, p, peek(c)->pos);
            goto end;
        }
    if (t->k == T_END)
        return cerr(c, "the claim has no relation (<, <=, >, >=, in [a, b], increasing in KEY)");
    if (t->k == T_PUNCT && strcmp(t->s, "=") == 0)
        return cerr(c, "'=' is not a relation: equality cannot be certified by enclosures; write "
                    "|x - y| < tol or x in [a, b]");
    return cerr(c, "unexpected '%s' after '%s' (expected <, <=, >, >=, in, increasing ...)",
                t->s, c->lhs_text);
end:
    if (peek(c)->k != T_END)
        return cerr(c, "unexpected '%s' after the claim", peek(c)->s);
    if (!has_quantity(c->lhs) && !has_quantity(c->rhs) && !has_quantity(c->lo) && !has_quantity(c->hi))
        return cerr(c, "the claim mentions no quantity (crossproof list --quantities)");
    return 0;
}

/* --- parameters ------------------------------------------------------------ */

/* The spec of key in quantity q, or NULL. */
static const cp_key_spec *spec_of(const cp_quantity_def *q, const char *key)
{
    for (const cp_key_spec *s = q->keys; s->name; s++)
        if (strcmp(s->name, key) == 0)
            return s;
    return NULL;
}

typedef struct {
    int used_by_qty, used_as_var, scalar, listtype, boxable, all_int;
    const char *no_region;    /* a quantity using the key with no region form */
} key_use;

static void scan_use(const node *n, const char *key, key_use *u)
{
    if (n == NULL)
        return;
    if (n->k == N_VAR && strcmp(n->name, key) == 0)
        u->used_as_var = 1;
    if (n->k == N_QTY) {
        int overridden = 0;
        for (int i = 0; i < n->nargs; i++)
            overridden |= strcmp(n->args[i][0], key) == 0;
        const cp_key_spec *s = spec_of(n->qd, key);
        if (s && !overridden) {
            u->used_by_qty = 1;
            if (s->type == CP_KEY_RATLIST || s->type == CP_KEY_INTLIST)
                u->listtype = 1;
            else
                u->scalar = 1;
            if (s->type != CP_KEY_INT && s->type != CP_KEY_INTLIST)
                u->all_int = 0;
            if (s->type != CP_KEY_RAT)
                u->boxable = 0;
            if (n->qd->eval_box == NULL && u->no_region == NULL)
                u->no_region = n->qd->name;
        }
    }
    scan_use(n->a, key, u);
    scan_use(n->b, key, u);
}

static void claim_clear(claim *c)
{
    for (int i = 0; i < c->nnodes; i++)
        fmpq_clear(c->pool[i].q);
    for (int i = 0; i < c->nkeys; i++) {
        fmpq_clear(c->keys[i].lo);
        fmpq_clear(c->keys[i].hi);
        for (slong j = 0; j < c->keys[i].nitems; j++)
            free(c->keys[i].items[j]);
        free(c->keys[i].items);
    }
    c->nnodes = c->nkeys = 0;
}

static int kerr(claim *c, const cp_kv_entry *e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int kerr(claim *c, const cp_kv_entry *e, const char *fmt, ...)
{
    char msg[CP_ERRLEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (e->line == 0)
        cp_errf(c->err, "parameter %s: %s", e->key, msg);
    else
        cp_errf(c->err, "%s:%d: %s", c->kv->origin, e->line, msg);
    return -1;
}

/* "[a, b]" with rationals a <= b. */
static int parse_interval(claim *c, const cp_kv_entry *e, key_info *k)
{
    char buf[256];
    size_t n = strlen(e->value);
    if (n < 2 || n >= sizeof buf || e->value[n - 1] != ']')
        return kerr(c, e, "malformed interval '%s' for %s: expected [a, b]", e->value, e->key);
    memcpy(buf, e->value + 1, n - 2);
    buf[n - 2] = '\0';
    char *comma = strchr(buf, ',');
    if (comma == NULL || strchr(comma + 1, ','))
        return kerr(c, e, "malformed interval '%s' for %s: expected [a, b]", e->value, e->key);
    *comma = '\0';
    char *a = cp_trim(buf), *b = cp_trim(comma + 1);
    if (cp_parse_rat(k->lo, a) != 0 || cp_parse_rat(k->hi, b) != 0)
        return kerr(c, e, "malformed interval '%s' for %s: the ends must be numbers", e->value, e->key);
    if (fmpq_cmp(k->lo, k->hi) > 0)
        return kerr(c, e, "empty interval '%s' for %s (need a <= b)", e->value, e->key);
    return 0;
}

static int split_list(claim *c, const cp_kv_entry *e, key_info *k, int as_int)
{
    if (as_int || strstr(e->value, "..")) {
        slong *v, n;
        int r = cp_parse_intlist(&v, &n, e->value);
        if (r == -2)
            return kerr(c, e, "list '%s' for %s has more than %d values", e->value, e->key, CP_MAX_LIST);
        if (r != 0)
            return kerr(c, e, "malformed list '%s' for %s: expected integers or ranges a..b [step s]",
                        e->value, e->key);
        k->items = malloc((size_t) n * sizeof *k->items);
        for (slong i = 0; i < n; i++) {
            char s[32];
            snprintf(s, sizeof s, "%ld", (long) v[i]);
            k->items[i] = strdup(s);
        }
        k->nitems = n;
        flint_free(v);
        return 0;
    }
    slong n = 1;
    for (const char *p = e->value; *p; p++)
        n += *p == ',';
    k->items = calloc((size_t) n, sizeof *k->items);
    char *copy = strdup(e->value), *save = NULL;
    fmpq_t q;
    fmpq_init(q);
    int r = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok && r == 0; tok = strtok_r(NULL, ",", &save)) {
        tok = cp_trim(tok);
        if (cp_parse_rat(q, tok) != 0)
            r = kerr(c, e, "malformed list '%s' for %s: '%s' is not a number", e->value, e->key, tok);
        else
            k->items[k->nitems++] = strdup(tok);
    }
    if (r == 0 && k->nitems != n)
        r = kerr(c, e, "malformed list '%s' for %s (an empty item)", e->value, e->key);
    fmpq_clear(q);
    free(copy);
    return r;
}

static const node *const *roots(const claim *c, const node *out[5])
{
    out[0] = c->lhs; out[1] = c->rhs; out[2] = c->lo; out[3] = c->hi; out[4] = NULL;
    return out;
}

static void scan_all(const claim *c, const char *key, key_use *u)
{
    const node *r[5];
    memset(u, 0, sizeof *u);
    u->boxable = 1;
    u->all_int = 1;
    roots(c, r);
    for (int i = 0; i < 4; i++)
        scan_use(r[i], key, u);
}

/* `pair = K1, K2, ...`: the lists K1, K2, ... vary together (the i-th value
 * of each in one instance) instead of over their product, as in simulate's
 * `pair`.  They must be lists of one length; the monotone key cannot be one. */
static int compile_pair(claim *c, const cp_kv_entry *e)
{
    char copy[256], *save = NULL;
    if (strlen(e->value) >= sizeof copy)
        return kerr(c, e, "pair: the list of keys is too long");
    snprintf(copy, sizeof copy, "%s", e->value);
    int first = -1, count = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        tok = cp_trim(tok);
        int i = 0;
        while (i < c->nkeys && strcmp(c->keys[i].key, tok) != 0)
            i++;
        if (i == c->nkeys)
            return kerr(c, e, "pair: '%s' is not a parameter of this block", tok);
        key_info *k = &c->keys[i];
        if (k->role != K_LIST)
            return kerr(c, e, "pair: %s is not a list (pair names list parameters that vary together)", tok);
        if (c->form == F_MONO && strcmp(k->key, c->mono_key) == 0)
            return kerr(c, e, "pair: %s is the key of the monotonicity and cannot vary with another", tok);
        if (i == first || k->leader >= 0)
            return kerr(c, e, "pair: %s named twice", tok);
        if (first < 0) {
            first = i;
        } else {
            if (k->nitems != c->keys[first].nitems)
                return kerr(c, e, "pair: %s has %ld values and %s has %ld (paired lists need one length)",
                            c->keys[first].key, (long) c->keys[first].nitems, k->key, (long) k->nitems);
            k->leader = first;
        }
        count++;
    }
    if (count < 2)
        return kerr(c, e, "pair: name at least two list parameters (pair = T, ref)");
    return 0;
}

static int compile(claim *c, const cp_kv *kv, char *err)
{
    memset(c, 0, sizeof *c);
    c->kv = kv;
    c->err = err;
    c->boxes = DEFAULT_BOXES;
    const cp_kv_entry *ce = cp_kv_find(kv, "claim");
    if (ce == NULL) {
        cp_errf(err, "%s: a claim block without 'claim = ...'", kv->origin);
        return -1;
    }
    c->text = ce->value;
    c->line = ce->line;
    if (parse_claim(c) != 0)
        return -1;
    const cp_kv_entry *pair_entry = NULL;
    for (int i = 0; i < kv->n; i++) {
        const cp_kv_entry *e = &kv->e[i];
        if (strcmp(e->key, "claim") == 0)
            continue;
        if (strcmp(e->key, "boxes") == 0) {
            if (cp_parse_int(&c->boxes, e->value) != 0 || c->boxes < 1 || c->boxes > MAX_BOXES)
                return kerr(c, e, "boxes must be an integer in [1, %d]", MAX_BOXES);
            continue;
        }
        if (strcmp(e->key, "pair") == 0) {
            pair_entry = e;
            continue;
        }
        key_info *k = &c->keys[c->nkeys++];
        fmpq_init(k->lo);
        fmpq_init(k->hi);
        k->leader = -1;
        snprintf(k->key, sizeof k->key, "%s", e->key);
        k->line = e->line;
        key_use u;
        scan_all(c, e->key, &u);
        int is_mono = c->form == F_MONO && strcmp(c->mono_key, e->key) == 0;
        k->var_only = u.used_as_var && !u.used_by_qty;
        if (!u.used_by_qty && !u.used_as_var && !is_mono)
            return kerr(c, e, "parameter '%s' is used by no quantity of the claim (a claim cannot rest "
                        "on a parameter it does not test)", e->key);
        if (u.listtype && (u.scalar || u.used_as_var || is_mono))
            return kerr(c, e, "parameter '%s' is a list for one quantity and a number for another", e->key);
        if (u.listtype) {
            k->role = K_PASS;
            continue;
        }
        if (e->value[0] == '[') {
            if (!u.boxable || u.all_int)
                return kerr(c, e, "parameter '%s' cannot be an interval (only rational parameters "
                            "can; integer parameters take lists such as 1..50)", e->key);
            if (parse_interval(c, e, k) != 0)
                return -1;
            if (u.no_region)
                return kerr(c, e, "quantity '%s' has no region form: '%s' cannot be an interval "
                            "(crossproof list --quantities marks the quantities that have one)",
                            u.no_region, e->key);
            if (is_mono)
                return kerr(c, e, "monotonicity is certified over a list of values of %s, not an "
                            "interval", e->key);
            k->role = K_INTERVAL;
            continue;
        }
        if (strchr(e->value, ',') || strstr(e->value, "..") || is_mono) {
            if (split_list(c, e, k, u.used_by_qty && u.all_int) != 0)
                return -1;
            k->role = K_LIST;
            if (is_mono && k->nitems < 2)
                return kerr(c, e, "'%s in %s' needs at least two values of %s", c->mono_word, e->key, e->key);
            continue;
        }
        k->role = K_POINT;
        if (u.used_as_var && !u.used_by_qty) {
            fmpq_t q;
            fmpq_init(q);
            int r = cp_parse_rat(q, e->value);
            fmpq_clear(q);
            if (r != 0)
                return kerr(c, e, "malformed number '%s' for %s", e->value, e->key);
        }
    }
    if (pair_entry != NULL && compile_pair(c, pair_entry) != 0)
        return -1;
    if (c->form == F_MONO) {
        int found = 0;
        for (int i = 0; i < c->nkeys; i++)
            found |= strcmp(c->keys[i].key, c->mono_key) == 0;
        if (!found)
            return cerr(c, "'%s in %s': %s is not a parameter of this block (give it a list such "
                        "as %s = 1..50)", c->mono_word, c->mono_key, c->mono_key, c->mono_key);
    }
    return 0;
}

/* --- evaluation ----------------------------------------------------------- */

typedef struct {
    const claim *c;
    cp_kv inst;               /* this instance's point values (lists resolved, intervals absent) */
    cp_box box;               /* the intervals of the current sub-box */
    char *err;
    int bad;
    const node *capture_node; /* the left side's only quantity, shown in the report */
    arb_t capture;
    int captured;
} ectx;

static const cp_box_range *box_range(const ectx *x, const char *key)
{
    return cp_box_find(&x->box, key);
}

static void ball_of_range(arb_t r, const cp_box_range *br, slong prec)
{
    arb_t h;
    arb_init(h);
    arb_set_fmpq(r, br->lo, prec);
    arb_set_fmpq(h, br->hi, prec);
    arb_union(r, r, h, prec);
    arb_clear(h);
}

static int eval_node(arb_t res, const node *n, ectx *x, slong prec);

static int eval_quantity(arb_t res, const node *n, ectx *x, slong prec)
{
    cp_kv qkv;
    cp_box qbox;
    int rc, boxed = 0;
    cp_kv_init(&qkv, x->inst.origin);
    cp_box_init(&qbox, &qkv);
    for (const cp_key_spec *s = n->qd->keys; s->name; s++) {
        int arg = -1;
        for (int i = 0; i < n->nargs; i++)
            if (strcmp(n->args[i][0], s->name) == 0)
                arg = i;
        if (arg >= 0) {
            cp_kv_set(&qkv, s->name, n->args[arg][1], x->c->line, 1);
            continue;
        }
        const cp_box_range *br = box_range(x, s->name);
        if (br != NULL) {
            cp_box_add(&qbox, s->name, br->lo, br->hi);
            boxed = 1;
            continue;
        }
        const cp_kv_entry *e = cp_kv_find(&x->inst, s->name);
        if (e != NULL)
            cp_kv_set(&qkv, e->key, e->value, e->line, 1);
    }
    if (boxed)
        rc = n->qd->eval_box(res, &qbox, prec, x->err);
    else
        rc = n->qd->eval(res, &qkv, prec, x->err);
    if (rc == 0 && n == x->capture_node) {
        arb_set(x->capture, res);
        x->captured = 1;
    }
    if (rc != 0)
        x->bad = 1;
    cp_box_clear(&qbox);
    cp_kv_clear(&qkv);
    return rc;
}

static int eval_node(arb_t res, const node *n, ectx *x, slong prec)
{
    arb_t a, b;
    int rc = 0;
    switch (n->k) {
    case N_NUM:
        arb_set_fmpq(res, n->q, prec);
        return 0;
    case N_QTY:
        return eval_quantity(res, n, x, prec);
    case N_VAR: {
        const cp_box_range *br = box_range(x, n->name);
        if (br) {
            ball_of_range(res, br, prec);
            return 0;
        }
        const cp_kv_entry *e = cp_kv_find(&x->inst, n->name);
        fmpq_t q;
        fmpq_init(q);
        rc = e == NULL || cp_parse_rat(q, e->value) != 0;
        if (rc == 0)
            arb_set_fmpq(res, q, prec);
        fmpq_clear(q);
        if (rc) {
            cp_errf(x->err, "%s:%d: parameter '%s' has no numeric value", x->inst.origin, x->c->line, n->name);
            x->bad = 1;
            return -1;
        }
        return 0;
    }
    default:
        break;
    }
    arb_init(a);
    arb_init(b);
    rc = eval_node(a, n->a, x, prec);
    if (rc == 0 && n->b)
        rc = eval_node(b, n->b, x, prec);
    if (rc == 0) {
        switch (n->k) {
        case N_NEG: arb_neg(res, a); break;
        case N_ADD: arb_add(res, a, b, prec); break;
        case N_SUB: arb_sub(res, a, b, prec); break;
        case N_MUL: arb_mul(res, a, b, prec); break;
        case N_DIV: arb_div(res, a, b, prec); break;
        case N_ABS: arb_abs(res, a); arb_nonnegative_part(res, res); break;   /* |x| >= 0 */
        case N_SQRT: arb_sqrt(res, a, prec); break;
        case N_LOG: arb_log(res, a, prec); break;
        case N_EXP: arb_exp(res, a, prec); break;
        case N_POW: {
            /* an exact integer exponent: x^n for any real x; otherwise x^y = exp(y log x), x > 0 */
            fmpz_t e;
            fmpz_init(e);
            if (arb_is_exact(b) && arb_get_unique_fmpz(e, b))
                arb_pow_fmpz(res, a, e, prec);
            else
                arb_pow(res, a, b, prec);
            fmpz_clear(e);
            break;
        }
        default: arb_indeterminate(res); break;
        }
    }
    arb_clear(a);
    arb_clear(b);
    return rc;
}

/* --- deciding a sub-claim over a box by bisection ------------------------- */

/* One sub-claim: D_i = A(inst_a) - B_i(inst_b) REL_i 0 for its nb sides
 * (two for `A in [lo, hi]`, evaluating A once per box for both). */
typedef struct {
    const node *a;
    const cp_kv *inst_a, *inst_b;
    int nb;
    const node *b[2];
    rel_kind rel[2];
} subclaim;

/* The outcome and statistics of a whole claim. */
typedef struct {
    long boxes;
    slong prec_lo, prec_hi;
    int have_margin;
    arb_t margin;             /* smallest certified margin */
    char margin_at[512];
    arb_t margin_value;       /* A at that place */
    int have_gt, have_lt;
    arb_t mut_gt, mut_lt;     /* D at the certified leaf nearest to failing (see cp_claim_mutants) */
    arb_t fail_value;         /* REFUTED: the left side where the negation was proved */
    int have_inst;            /* the current instance's smallest margin and A there */
    arb_t inst_margin, inst_value;
    char where[768];          /* REFUTED: the witness; INCONCLUSIVE: the offending sub-box */
} outcome;

static int is_lower_rel(rel_kind r) { return r == R_GT || r == R_GE; }

static cp_verdict decide(const arb_t d, rel_kind r)
{
    switch (r) {
    case R_LT: return arb_is_negative(d) ? CP_CERTIFIED : arb_is_nonnegative(d) ? CP_REFUTED : CP_INCONCLUSIVE;
    case R_LE: return arb_is_nonpositive(d) ? CP_CERTIFIED : arb_is_positive(d) ? CP_REFUTED : CP_INCONCLUSIVE;
    case R_GT: return arb_is_positive(d) ? CP_CERTIFIED : arb_is_nonpositive(d) ? CP_REFUTED : CP_INCONCLUSIVE;
    default:   return arb_is_nonnegative(d) ? CP_CERTIFIED : arb_is_negative(d) ? CP_REFUTED : CP_INCONCLUSIVE;
    }
}

/* D_i = A - B_i for the sides in mask; av gets the value shown in the
 * report (the left side's only quantity when it has one, else the left
 * side). */
static int eval_sub(arb_ptr d, arb_t av, const subclaim *s, int mask, ectx *x, slong prec)
{
    arb_t left, b;
    int rc;
    arb_init(left);
    arb_init(b);
    cp_kv saved = x->inst;
    x->inst = *s->inst_a;
    x->captured = 0;
    rc = eval_node(left, s->a, x, prec);
    if (rc == 0)
        arb_set(av, x->captured ? x->capture : left);
    const node *keep = x->capture_node;
    x->capture_node = NULL;
    x->inst = *s->inst_b;
    for (int i = 0; i < s->nb && rc == 0; i++) {
        if (!(mask & (1 << i)))
            continue;
        rc = eval_node(b, s->b[i], x, prec);
        if (rc == 0)
            arb_sub(d + i, left, b, prec);
    }
    x->capture_node = keep;
    x->inst = saved;
    arb_clear(left);
    arb_clear(b);
    return rc;
}

static void describe_box(char *out, size_t n, const cp_box *b, const char *context, int point)
{
    size_t l = 0;
    out[0] = '\0';
    for (int i = 0; i < b->n && l < n; i++) {
        char *lo = fmpq_get_str(NULL, 10, b->r[i].lo), *hi = fmpq_get_str(NULL, 10, b->r[i].hi);
        char a[48], c[48];
        if (strlen(lo) + strlen(hi) > 40) {
            /* long rationals (deep bisection) print as 12-digit decimals, rounded outward */
            snprintf(a, sizeof a, "%.12g", nextafter(fmpq_get_d(b->r[i].lo), -INFINITY));
            snprintf(c, sizeof c, "%.12g", nextafter(fmpq_get_d(b->r[i].hi), INFINITY));
        } else {
            snprintf(a, sizeof a, "%s", lo);
            snprintf(c, sizeof c, "%s", hi);
        }
        if (point)
            l += (size_t) snprintf(out + l, n - l, "%s%s = %s", i ? ", " : "", b->r[i].key, a);
        else
            l += (size_t) snprintf(out + l, n - l, "%s%s in [%s, %s]", i ? ", " : "", b->r[i].key, a, c);
        flint_free(lo);
        flint_free(hi);
    }
    if (context[0] && l < n)
        snprintf(out + l, n - l, "%s%s", l ? " " : "", context);
}

/* The widest range of the box relative to the root box. */
static int widest(const cp_box *b, const cp_box *root)
{
    int best = -1;
    double bw = 0;
    for (int i = 0; i < b->n; i++) {
        fmpq_t w, w0;
        fmpq_init(w);
        fmpq_init(w0);
        fmpq_sub(w, b->r[i].hi, b->r[i].lo);
        fmpq_sub(w0, root->r[i].hi, root->r[i].lo);
        double rel = fmpq_is_zero(w0) ? 0 : fmpq_get_d(w) / fmpq_get_d(w0);
        if (!fmpq_is_zero(w) && rel > bw) {
            bw = rel;
            best = i;
        }
        fmpq_clear(w);
        fmpq_clear(w0);
    }
    return best;
}

typedef struct {
    cp_box box;
    slong prec;
    int mask;                 /* the sides not yet certified on this box */
} work;

/* The certified leaves of one sub-claim: sub-boxes that together are the
 * root box (each box is either certified or cut in two halves, so the
 * leaves where every side got certified cover the root exactly). */
typedef struct {
    cp_box *b;
    long n, cap;
} partition;

static void part_clear(partition *p)
{
    for (long i = 0; i < p->n; i++)
        cp_box_clear(&p->b[i]);
    free(p->b);
    memset(p, 0, sizeof *p);
}

static void part_add(partition *p, const cp_box *b)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 8;
        p->b = realloc(p->b, (size_t) p->cap * sizeof *p->b);
    }
    cp_box_init(&p->b[p->n], b->kv);
    cp_box_copy(&p->b[p->n++], b);
}

/* The midpoint of a box as a box of points (degenerate ranges). */
static void midpoint_box(cp_box *m, const cp_box *b)
{
    cp_box_init(m, b->kv);
    cp_box_copy(m, b);
    for (int i = 0; i < m->n; i++) {
        fmpq_add(m->r[i].lo, b->r[i].lo, b->r[i].hi);
        fmpq_div_2exp(m->r[i].lo, m->r[i].lo, 1);
        fmpq_set(m->r[i].hi, m->r[i].lo);
    }
}

/* Records a certified leaf: the smallest margin (how far the enclosure of D
 * stays from 0) with its place, and for the mutants the leaf whose D comes
 * nearest to failing (smallest upper bound for > claims, largest lower
 * bound for < claims). */
static void note_leaf(outcome *o, rel_kind rel, const arb_t d, const arb_t av,
                      const cp_box *b, const char *context, slong prec)
{
    int lower = is_lower_rel(rel);
    arb_t m;
    arf_t t, u;
    arb_init(m);
    arf_init(t);
    arf_init(u);
    if (lower)
        arb_set(m, d);
    else
        arb_neg(m, d);
    arb_get_lbound_arf(t, m, prec);
    arb_set_arf(m, t);
    if (!o->have_inst || arb_lt(m, o->inst_margin)) {
        o->have_inst = 1;
        arb_set(o->inst_margin, m);
        arb_set(o->inst_value, av);
    }
    if (!o->have_margin || arb_lt(m, o->margin)) {
        o->have_margin = 1;
        arb_set(o->margin, m);
        arb_set(o->margin_value, av);
        describe_box(o->margin_at, sizeof o->margin_at, b, context, 0);
    }
    if (lower) {
        arb_get_ubound_arf(t, d, prec);
        if (o->have_gt)
            arb_get_ubound_arf(u, o->mut_gt, prec);
        if (!o->have_gt || arf_cmp(t, u) < 0)
            arb_set(o->mut_gt, d);
        o->have_gt = 1;
    } else {
        arb_get_lbound_arf(t, d, prec);
        if (o->have_lt)
            arb_get_lbound_arf(u, o->mut_lt, prec);
        if (!o->have_lt || arf_cmp(t, u) > 0)
            arb_set(o->mut_lt, d);
        o->have_lt = 1;
    }
    arf_clear(t);
    arf_clear(u);
    arb_clear(m);
}

/* Decides one sub-claim for every point of root: depth-first bisection with
 * a per-box precision that doubles where the midpoint itself is undecided.
 * warm (NULL: none) is a partition of root to start from instead of root
 * itself (the previous instance's leaves); the certified leaves go to
 * leaves (NULL: not kept). */
static cp_verdict decide_sub(const subclaim *s, ectx *x, const cp_box *root, slong prec0,
                             slong max_prec, long budget, outcome *o, const char *context,
                             const partition *warm, partition *leaves)
{
    /* the boxes to start from, pushed so that they pop in order */
    const cp_box *start = warm && warm->n > 1 ? warm->b : root;
    long nstart = warm && warm->n > 1 ? warm->n : 1;
    int cap = 4096, top = 0;
    while (cap < nstart + 2)
        cap *= 2;
    work *stack = malloc((size_t) cap * sizeof *stack);
    cp_verdict v = CP_CERTIFIED;
    long boxes_before = o->boxes;   /* the budget is per sub-claim (one instance) */
    arb_ptr d = _arb_vec_init(2), dm = _arb_vec_init(2);
    arb_t av, am;
    arb_init(av);
    arb_init(am);
    for (long i = nstart - 1; i >= 0; i--) {
        cp_box_init(&stack[top].box, root->kv);
        cp_box_copy(&stack[top].box, &start[i]);
        stack[top].mask = (1 << s->nb) - 1;
        stack[top++].prec = prec0;
    }
    while (top > 0) {
        work w = stack[--top];
        char b[600];
        if (o->boxes - boxes_before >= budget) {
            v = CP_INCONCLUSIVE;
            describe_box(b, sizeof b, &w.box, context, 0);
            snprintf(o->where, sizeof o->where, "box budget of %ld per instance exhausted; undecided sub-box %s",
                     budget, b);
            cp_box_clear(&w.box);
            break;
        }
        o->boxes++;
        if (o->prec_lo == 0 || w.prec < o->prec_lo) o->prec_lo = w.prec;
        if (w.prec > o->prec_hi) o->prec_hi = w.prec;
        x->box = w.box;
        if (eval_sub(d, av, s, w.mask, x, w.prec) != 0) {
            cp_box_clear(&w.box);
            v = CP_INCONCLUSIVE;
            break;
        }
        int refuted = 0;
        for (int i = 0; i < s->nb; i++) {
            if (!(w.mask & (1 << i)))
                continue;
            cp_verdict here = decide(d + i, s->rel[i]);
            if (here == CP_CERTIFIED) {
                /* certified on this box, so on every sub-box of it */
                note_leaf(o, s->rel[i], d + i, av, &w.box, context, w.prec);
                w.mask &= ~(1 << i);
            } else if (here == CP_REFUTED) {
                refuted = 1;
            }
        }
        if (refuted) {
            describe_box(b, sizeof b, &w.box, context, 0);
            arb_set(o->fail_value, av);
            if (w.box.n > 0)
                snprintf(o->where, sizeof o->where, "on the whole sub-box %s", b);
            else
                snprintf(o->where, sizeof o->where, "%s%s", b[0] ? "at " : "", b);
            cp_box_clear(&w.box);
            v = CP_REFUTED;
            break;
        }
        if (w.mask == 0) {
            if (leaves)
                part_add(leaves, &w.box);
            cp_box_clear(&w.box);
            continue;
        }
        /* undecided: is the midpoint decided at this precision? */
        int split = -1, rc = 0;
        if (w.box.n > 0) {
            cp_box m;
            midpoint_box(&m, &w.box);
            x->box = m;
            rc = eval_sub(dm, am, s, w.mask, x, w.prec);
            int all = 1;
            for (int i = 0; i < s->nb && rc == 0; i++) {
                if (!(w.mask & (1 << i)))
                    continue;
                cp_verdict mid = decide(dm + i, s->rel[i]);
                if (mid == CP_REFUTED)
                    refuted = 1;
                all &= mid == CP_CERTIFIED;
            }
            if (rc == 0 && refuted) {
                arb_set(o->fail_value, am);
                describe_box(b, sizeof b, &m, context, 1);
                snprintf(o->where, sizeof o->where, "at the witness point %s", b);
            }
            cp_box_clear(&m);
            if (rc == 0 && !refuted && all)
                split = widest(&w.box, root);
        }
        if (rc != 0 || refuted) {
            cp_box_clear(&w.box);
            v = rc != 0 ? CP_INCONCLUSIVE : CP_REFUTED;
            break;
        }
        if (split < 0) {
            /* the point itself is undecided: more precision */
            if (w.prec * 2 > max_prec) {
                describe_box(b, sizeof b, &w.box, context, 0);
                snprintf(o->where, sizeof o->where, "undecided at the precision cap of %ld bits at %s%s",
                         (long) max_prec, w.box.n ? "sub-box " : "", b[0] ? b : "the point");
                cp_box_clear(&w.box);
                v = CP_INCONCLUSIVE;
                break;
            }
            w.prec *= 2;
            stack[top++] = w;
            continue;
        }
        if (top + 2 > cap) {
            cap *= 2;
            stack = realloc(stack, (size_t) cap * sizeof *stack);
        }
        cp_box lo, hi;
        cp_box_init(&lo, w.box.kv);
        cp_box_init(&hi, w.box.kv);
        cp_box_copy(&lo, &w.box);
        cp_box_copy(&hi, &w.box);
        fmpq_add(lo.r[split].hi, w.box.r[split].lo, w.box.r[split].hi);
        fmpq_div_2exp(lo.r[split].hi, lo.r[split].hi, 1);
        fmpq_set(hi.r[split].lo, lo.r[split].hi);
        cp_box_clear(&w.box);
        stack[top].box = hi; stack[top].mask = w.mask; stack[top++].prec = w.prec;
        stack[top].box = lo; stack[top].mask = w.mask; stack[top++].prec = w.prec;
    }
    while (top > 0)
        cp_box_clear(&stack[--top].box);
    free(stack);
    _arb_vec_clear(d, 2);
    _arb_vec_clear(dm, 2);
    arb_clear(av);
    arb_clear(am);
    return v;
}

/* --- instances -------------------------------------------------------------- */

static const char *rel_name(rel_kind r)
{
    return r == R_LT ? "<" : r == R_LE ? "<=" : r == R_GT ? ">" : ">=";
}

/* The comment-free claim text. */
static void claim_text(char *out, size_t n, const claim *c)
{
    const char *h = strchr(c->text, '#');
    int len = h ? (int) (h - c->text) : (int) strlen(c->text);
    while (len > 0 && isspace((unsigned char) c->text[len - 1]))
        len--;
    snprintf(out, n, "%.*s", len, c->text);
}

static int is_pair_leader(const claim *c, int i)
{
    for (int j = 0; j < c->nkeys; j++)
        if (c->keys[j].leader == i)
            return 1;
    return 0;
}

/* "for all (T, ref) in {(1, 0.27), (2, 0.28)}" for the pair led by key i. */
static int pair_statement(char *out, size_t n, const claim *c, int i, int first)
{
    size_t l = (size_t) snprintf(out, n, "%s(%s", first ? "for all " : ", ", c->keys[i].key);
    for (int j = 0; j < c->nkeys && l < n; j++)
        if (c->keys[j].leader == i)
            l += (size_t) snprintf(out + l, n - l, ", %s", c->keys[j].key);
    if (l < n)
        l += (size_t) snprintf(out + l, n - l, ") in {");
    for (slong v = 0; v < c->keys[i].nitems && l < n; v++) {
        l += (size_t) snprintf(out + l, n - l, "%s(%s", v ? ", " : "", c->keys[i].items[v]);
        for (int j = 0; j < c->nkeys && l < n; j++)
            if (c->keys[j].leader == i)
                l += (size_t) snprintf(out + l, n - l, ", %s", c->keys[j].items[v]);
        if (l < n)
            l += (size_t) snprintf(out + l, n - l, ")");
    }
    if (l < n)
        l += (size_t) snprintf(out + l, n - l, "}");
    return (int) (l < n ? l : n - 1);
}

/* "for all m_lo in [1/10, 1], T in {1..50}: " plus the point parameters. */
static void statement(char *out, size_t n, const claim *c)
{
    size_t l = 0;
    int first = 1;
    out[0] = '\0';
    for (int i = 0; i < c->nkeys && l < n; i++) {
        const key_info *k = &c->keys[i];
        const cp_kv_entry *e = cp_kv_find(c->kv, k->key);
        if (k->role == K_INTERVAL)
            l += (size_t) snprintf(out + l, n - l, "%s%s in %s", first ? "for all " : ", ", k->key, e->value);
        else if (k->role == K_LIST && k->leader < 0 && !is_pair_leader(c, i))
            l += (size_t) snprintf(out + l, n - l, "%s%s in {%s}", first ? "for all " : ", ", k->key, e->value);
        else if (k->role == K_LIST && k->leader < 0)
            l += (size_t) pair_statement(out + l, n - l, c, i, first);
        else
            continue;
        first = 0;
    }
    if (!first && l < n)
        l += (size_t) snprintf(out + l, n - l, ": ");
    if (l < n) {
        char t[512];
        claim_text(t, sizeof t, c);
        l += (size_t) snprintf(out + l, n - l, "%s", t);
    }
    first = 1;
    for (int i = 0; i < c->nkeys && l < n; i++) {
        const key_info *k = &c->keys[i];
        if (k->role != K_POINT && k->role != K_PASS)
            continue;
        const cp_kv_entry *e = cp_kv_find(c->kv, k->key);
        l += (size_t) snprintf(out + l, n - l, "%s%s = %s", first ? " (at " : ", ", k->key, e->value);
        first = 0;
    }
    if (!first && l < n)
        snprintf(out + l, n - l, ")");
}

/* A margin (an exact lower bound, see note_leaf) rounded down to 4 digits;
 * beyond the double range, Arb's 4-digit decimal. */
static void margin_text(char *out, size_t n, const arb_t margin)
{
    double md = arf_get_d(arb_midref(margin), ARF_RND_FLOOR);
    if (md != 0 || arf_is_zero(arb_midref(margin))) {
        snprintf(out, n, "%.4g", md);
    } else {
        char *ms = arb_get_str(margin, 4, ARB_STR_NO_RADIUS);
        snprintf(out, n, "%s", ms);
        flint_free(ms);
    }
}

static void count_s(char *out, size_t n, long v)
{
    /* 1432 -> "1,432" */
    char d[32];
    int len = snprintf(d, sizeof d, "%ld", v), o = 0;
    for (int i = 0; i < len && o + 2 < (int) n; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = d[i];
    }
    out[o] = '\0';
}

static cp_verdict run_claim(cp_check_run *run)
{
    claim *c = malloc(sizeof *c);
    char err[CP_ERRLEN] = "";
    cp_verdict verdict = CP_CERTIFIED;
    if (c == NULL || compile(c, run->params, err) != 0) {
        if (c)
            claim_clear(c);
        free(c);
        cp_run_bad_input(run, NULL, "%s", err[0] ? err : "out of memory");
        return CP_INCONCLUSIVE;
    }
    /* the quantified keys and the root box */
    int lists[CP_MAX_KEYS], nl = 0, mono = -1;
    cp_box root;
    cp_box_init(&root, NULL);
    int slot[CP_MAX_KEYS];     /* a list key's quantifier: its own, or its pair leader's */
    for (int i = 0; i < c->nkeys; i++) {
        if (c->keys[i].role == K_LIST) {
            if (c->form == F_MONO && strcmp(c->keys[i].key, c->mono_key) == 0)
                mono = i;
            else if (c->keys[i].leader < 0)
                slot[i] = nl, lists[nl++] = i;
        } else if (c->keys[i].role == K_INTERVAL) {
            if (cp_box_add(&root, c->keys[i].key, c->keys[i].lo, c->keys[i].hi) != 0) {
                cp_run_bad_input(run, c->keys[i].key, "more than %d interval parameters", CP_MAX_BOX_KEYS);
                verdict = CP_INCONCLUSIVE;
                goto done;
            }
        }
    }
    double total = 1;
    for (int i = 0; i < nl; i++)
        total *= (double) c->keys[lists[i]].nitems;
    if (total > MAX_INSTANCES) {
        cp_run_bad_input(run, NULL, "%s:%d: the lists give %.0f instances (at most %d)",
                         run->params->origin, c->line, total, MAX_INSTANCES);
        verdict = CP_INCONCLUSIVE;
        goto done;
    }
    outcome o;
    memset(&o, 0, sizeof o);
    arb_init(o.margin); arb_init(o.margin_value); arb_init(o.fail_value); arb_init(o.mut_gt); arb_init(o.mut_lt);
    arb_init(o.inst_margin); arb_init(o.inst_value);
    /* a table of the instances in the report, when there are few */
    slong nrows = (slong) total * (c->form == F_MONO ? c->keys[mono].nitems - 1 : 1);
    char *rows = nrows >= 2 && nrows <= MAX_TABLE_ROWS ? calloc(1, CP_TEXTLEN) : NULL;
    size_t rl = 0;
    ectx x;
    memset(&x, 0, sizeof x);
    x.c = c;
    x.err = err;
    arb_init(x.capture);
    const node *primary = NULL;
    if (count_quantities(c->lhs, &primary) == 1 && primary != c->lhs)
        x.capture_node = primary;
    slong ninst = (slong) total;
    slong idx[CP_MAX_KEYS] = { 0 };
    int region = root.n > 0;
    long budget = c->boxes;
    partition warm = { 0 };
    long nsolved = 0;
    char context[256];
    for (slong inst = 0; inst < ninst && verdict == CP_CERTIFIED; inst++) {
        /* this instance's values */
        cp_kv iv;
        cp_kv_init(&iv, run->params->origin);
        size_t cl = 0;
        context[0] = '\0';
        for (int i = 0; i < c->nkeys; i++) {
            const key_info *k = &c->keys[i];
            const cp_kv_entry *e = cp_kv_find(run->params, k->key);
            if (k->role == K_POINT || k->role == K_PASS)
                cp_kv_set(&iv, k->key, e->value, e->line, 1);
        }
        for (int i = 0; i < c->nkeys; i++) {
            const key_info *k = &c->keys[i];
            if (k->role != K_LIST || i == mono)
                continue;
            slong at = idx[slot[k->leader >= 0 ? k->leader : i]];
            cp_kv_set(&iv, k->key, k->items[at], k->line, 1);
            if (cl < sizeof context)
                cl += (size_t) snprintf(context + cl, sizeof context - cl, "%s%s = %s",
                                        cl ? ", " : "(", k->key, k->items[at]);
        }
        if (cl && cl < sizeof context)
            snprintf(context + cl, sizeof context - cl, ")");
        /* its sub-claims */
        int nsub = 0;
        subclaim sub[1];
        cp_kv *mv = NULL;
        slong nm = 0;
        if (c->form == F_CMP) {
            sub[nsub++] = (subclaim) { c->lhs, &iv, &iv, 1, { c->rhs, NULL }, { c->rel, R_LT } };
        } else if (c->form == F_IN) {
            sub[nsub++] = (subclaim) { c->lhs, &iv, &iv, 2, { c->lo, c->hi }, { R_GE, R_LE } };
        } else {
            /* the monotone key's values in increasing order */
            const key_info *k = &c->keys[mono];
            nm = k->nitems;
            fmpq *vals = _fmpq_vec_init(nm);
            slong *ord = malloc((size_t) nm * sizeof *ord);
            for (slong i = 0; i < nm; i++) {
                cp_parse_rat(vals + i, k->items[i]);
                ord[i] = i;
            }
            for (slong i = 1; i < nm; i++)       /* insertion sort; lists are short or sorted */
                for (slong j = i; j > 0 && fmpq_cmp(vals + ord[j - 1], vals + ord[j]) > 0; j--) {
                    slong t = ord[j]; ord[j] = ord[j - 1]; ord[j - 1] = t;
                }
            mv = malloc((size_t) nm * sizeof *mv);
            for (slong i = 0; i < nm; i++) {
                cp_kv_init(&mv[i], iv.origin);
                for (int e = 0; e < iv.n; e++)
                    cp_kv_set(&mv[i], iv.e[e].key, iv.e[e].value, iv.e[e].line, 1);
                cp_kv_set(&mv[i], k->key, k->items[ord[i]], k->line, 1);
                if (i > 0 && fmpq_equal(vals + ord[i], vals + ord[i - 1])) {
                    cp_run_bad_input(run, k->key, "%s lists the value %s twice: '%s in %s' needs distinct values",
                                     k->key, k->items[ord[i]], c->mono_word, k->key);
                    verdict = CP_INCONCLUSIVE;
                }
            }
            _fmpq_vec_clear(vals, nm);
            free(ord);
        }
        slong npairs = c->form == F_MONO ? nm - 1 : nsub;
        for (slong p = 0; p < npairs && verdict == CP_CERTIFIED; p++) {
            subclaim s;
            char ctx2[320];
            snprintf(ctx2, sizeof ctx2, "%s", context);
            if (c->form == F_MONO) {
                s.a = c->lhs; s.b[0] = c->lhs; s.nb = 1;
                s.inst_a = &mv[p + 1]; s.inst_b = &mv[p];
                s.rel[0] = c->up ? (c->strict ? R_GT : R_GE) : (c->strict ? R_LT : R_LE);
                snprintf(ctx2, sizeof ctx2, "%s%s%s from %s to %s%s", context[0] ? context : "",
                         context[0] ? " " : "", c->mono_key,
                         cp_kv_find(&mv[p], c->mono_key)->value, cp_kv_find(&mv[p + 1], c->mono_key)->value, "");
            } else {
                s = sub[p];
            }
            o.have_inst = 0;
            /* a region claim over a list starts each sub-claim from the leaves of
             * the previous one (consecutive instances usually need the same
             * cuts), and every WARM_RESTART-th from the root so that the
             * partition can coarsen again */
            partition leaves = { 0 };
            int use_warm = region && nsolved % WARM_RESTART != 0;
            cp_verdict v = decide_sub(&s, &x, &root, region ? REGION_PREC : run->prec, run->max_prec, budget, &o, ctx2,
                                      use_warm ? &warm : NULL, region ? &leaves : NULL);
            nsolved++;
            if (region) {
                part_clear(&warm);
                warm = leaves;
            }
            /* a list variable that alone indexes the instances (T, ref paired, or
             * the only list) gets the instance's value of the left side's quantity,
             * for crossproof mutate's per-element operators (away:ref:tol) */
            if (x.capture_node && o.have_inst && v == CP_CERTIFIED && !region && c->form != F_MONO && nl == 1)
                for (int i = 0; i < c->nkeys; i++)
                    if (c->keys[i].role == K_LIST && c->keys[i].var_only)
                        cp_run_item_value(run, c->keys[i].key, idx[0], c->keys[i].nitems, o.inst_value);
            if (rows && o.have_inst && v == CP_CERTIFIED && rl < CP_TEXTLEN) {
                char av[96], mg[96];
                cp_arb_human_buf(av, sizeof av, o.inst_value, 10);
                margin_text(mg, sizeof mg, o.inst_margin);
                rl += (size_t) snprintf(rows + rl, CP_TEXTLEN - rl, "| %s | %s | %s |\n",
                                        ctx2[0] ? ctx2 : "-", av, mg);
            }
            if (x.bad) {
                cp_run_bad_input(run, NULL, "%s", err);
                verdict = CP_INCONCLUSIVE;
            } else if (v != CP_CERTIFIED) {
                verdict = v;
            }
        }
        if (mv) {
            for (slong i = 0; i < nm; i++)
                cp_kv_clear(&mv[i]);
            free(mv);
        }
        cp_kv_clear(&iv);
        for (int j = nl - 1; j >= 0; j--) {
            if (++idx[j] < c->keys[lists[j]].nitems)
                break;
            idx[j] = 0;
        }
    }
    part_clear(&warm);
    if (run->bad_input)
        goto out;
    /* what was proved */
    char st[1024], boxes[32], m[64], text[512];
    statement(st, sizeof st, c);
    claim_text(text, sizeof text, c);
    count_s(boxes, sizeof boxes, o.boxes);
    run->is_claim = 1;
    snprintf(run->statement, sizeof run->statement, "%s", st);
    run->boxes = o.boxes;
    run->prec_lo = o.prec_lo;
    run->prec_hi = o.prec_hi;
    if (verdict == CP_CERTIFIED) {
        char bits[48];
        margin_text(m, sizeof m, o.margin);
        if (o.prec_hi > o.prec_lo)
            snprintf(bits, sizeof bits, "%ld-%ld bits", (long) o.prec_lo, (long) o.prec_hi);
        else
            snprintf(bits, sizeof bits, "%ld bits", (long) o.prec_lo);
        snprintf(run->margin, sizeof run->margin, "%s", m);
        snprintf(run->margin_at, sizeof run->margin_at, "%s", o.margin_at);
        cp_run_detail(run, "Certified %s. %s %s, %s; smallest margin %s%s%s.", st, boxes,
                      region ? (o.boxes == 1 ? "box" : "boxes") : (o.boxes == 1 ? "evaluation" : "evaluations"),
                      bits, m, o.margin_at[0] ? " at " : "", o.margin_at);
        arb_set(run->value, o.margin_value);
        run->has_value = 1;
        char vn[160];
        snprintf(vn, sizeof vn, "%.100s where the margin is smallest",
                 x.capture_node ? x.capture_node->name : c->lhs_text);
        cp_run_value_name(run, vn);
        if (o.have_gt)
            cp_run_item_value(run, "claim.gt", 0, 1, o.mut_gt);
        if (o.have_lt)
            cp_run_item_value(run, "claim.lt", 0, 1, o.mut_lt);
    } else if (verdict == CP_REFUTED) {
        char fv[96];
        cp_arb_human_buf(fv, sizeof fv, o.fail_value, 10);
        cp_run_detail(run, "Refuted: %s is false: its negation is proved%s%s; there %s = %s.",
                      st, o.where[0] ? " " : "", o.where, x.capture_node ? x.capture_node->name : c->lhs_text, fv);
        arb_set(run->value, o.fail_value);
        run->has_value = 1;
        char vn[160];
        snprintf(vn, sizeof vn, "%.100s where the negation is proved",
                 x.capture_node ? x.capture_node->name : c->lhs_text);
        cp_run_value_name(run, vn);
    } else {
        cp_run_detail(run, "Not certified: %s. %s.", st, o.where);
    }
    if (rows && rows[0] && rl < CP_TEXTLEN) {
        char head[256];
        snprintf(head, sizeof head, "| instance | %.100s%s | margin |",
                 x.capture_node ? x.capture_node->name : c->lhs_text,
                 region ? " at the smallest margin" : "");
        cp_run_table_head(run, head);
        cp_run_detail_append(run, "%s", rows);
    }
    /* the precision is handled per box; more runner precision cannot help */
    run->settled = 1;
    if (o.prec_hi > 0)
        run->prec = o.prec_hi;      /* the highest precision a box needed */
out:
    free(rows);
    arb_clear(o.inst_margin); arb_clear(o.inst_value);
    arb_clear(x.capture);
    arb_clear(o.margin); arb_clear(o.margin_value); arb_clear(o.fail_value); arb_clear(o.mut_gt); arb_clear(o.mut_lt);
done:
    cp_box_clear(&root);
    claim_clear(c);
    free(c);
    return verdict;
}

static const cp_key_spec claim_keys[] = {
    { "claim", CP_KEY_TEXT, NULL, "the claim (README, \"The claim language\")" },
    { "boxes", CP_KEY_INT, "20000", "most boxes each instance of a region claim may bisect into" },
    { "pair",  CP_KEY_TEXT, NULL, "list parameters that vary together (pair = T, ref: the i-th T with the i-th ref)" },
    CP_KEY_END
};

const cp_check_def cp_claim_check = {
    "claim", "a claim in the claim language, over the quantities of crossproof eval",
    CP_CHECK_BALL, claim_keys, run_claim
};

/* Evaluates every quantity of the claim once, at the first instance of the
 * lists and on the whole region, at low precision: the quantities' own
 * parameter checks (m_lo <= m_hi, T in range, a box of valid models) then
 * fail when the file loads, at file:line, before anything runs. */
static void first_instance(cp_kv *iv, cp_box *root, const claim *c, const cp_kv *params)
{
    cp_kv_init(iv, params->origin);
    cp_box_init(root, NULL);
    for (int i = 0; i < c->nkeys; i++) {
        const key_info *k = &c->keys[i];
        const cp_kv_entry *e = cp_kv_find(params, k->key);
        if (k->role == K_POINT || k->role == K_PASS)
            cp_kv_set(iv, k->key, e->value, e->line, 1);
        else if (k->role == K_LIST)
            cp_kv_set(iv, k->key, k->items[0], e->line, 1);
        else
            cp_box_add(root, k->key, k->lo, k->hi);
    }
}

static int validate_nodes(const node *n, ectx *x)
{
    if (n == NULL)
        return 0;
    if (n->k == N_QTY) {
        arb_t r;
        arb_init(r);
        int rc = eval_quantity(r, n, x, 32);
        arb_clear(r);
        if (rc != 0)
            return -1;
    }
    return validate_nodes(n->a, x) || validate_nodes(n->b, x) ? -1 : 0;
}

static int validate_first_instance(const claim *c, const cp_kv *params, char *err)
{
    ectx x;
    memset(&x, 0, sizeof x);
    x.c = c;
    x.err = err;
    first_instance(&x.inst, &x.box, c, params);
    const node *r[5];
    roots(c, r);
    int rc = 0;
    for (int i = 0; i < 4 && rc == 0; i++)
        rc = validate_nodes(r[i], &x);
    cp_box_clear(&x.box);
    cp_kv_clear(&x.inst);
    return rc;
}

int cp_claim_validate(const cp_kv *params, char *err)
{
    claim *c = malloc(sizeof *c);
    if (c == NULL) {
        cp_errf(err, "out of memory");
        return -1;
    }
    int rc = compile(c, params, err);
    if (rc == 0)
        rc = validate_first_instance(c, params, err);
    claim_clear(c);
    free(c);
    return rc;
}

/* --- mutants ---------------------------------------------------------------- */

/* q as a decimal of 24 significant digits, rounded up (up = 1) or down,
 * so that the printed bound is still past the value it was moved beyond;
 * negative values in parentheses. */
static char *fmt_q(const fmpq_t q, int up)
{
    fmpz_t num, p;
    fmpq_t t;
    fmpz_init(num);
    fmpz_init(p);
    fmpq_init(t);
    char *out;
    if (fmpq_is_zero(q)) {
        out = strdup("0");
    } else {
        /* e with 10^e <= |q| < 10^(e+1): first from the digit counts of the
         * numerator and denominator (a double underflows at 1e-308), then
         * adjusted both ways */
        fmpq_abs(t, q);
        slong e = (slong) fmpz_sizeinbase(fmpq_numref(t), 10) - (slong) fmpz_sizeinbase(fmpq_denref(t), 10);
        for (int pass = 0; pass < 8; pass++) {
            fmpq_t lo;
            fmpq_init(lo);
            fmpz_set_ui(p, 10);
            fmpz_pow_ui(p, p, (ulong) (e < 0 ? -e : e));
            if (e >= 0) fmpq_set_fmpz_frac(lo, p, (fmpz[]){1}); else fmpq_set_fmpz_frac(lo, (fmpz[]){1}, p);
            int below = fmpq_cmp(t, lo) < 0;
            fmpq_mul_si(lo, lo, 10);
            int above = fmpq_cmp(t, lo) >= 0;
            fmpq_clear(lo);
            if (below) e--;
            else if (above) e++;
            else break;
        }
        slong sh = 23 - e;                    /* q 10^sh has 24 digits before the point */
        fmpz_set_ui(p, 10);
        fmpz_pow_ui(p, p, (ulong) (sh < 0 ? -sh : sh));
        if (sh >= 0)
            fmpq_mul_fmpz(t, q, p);
        else
            fmpq_div_fmpz(t, q, p);
        if (up)
            fmpz_cdiv_q(num, fmpq_numref(t), fmpq_denref(t));
        else
            fmpz_fdiv_q(num, fmpq_numref(t), fmpq_denref(t));
        char *d = fmpz_get_str(NULL, 10, num);
        out = malloc(strlen(d) + 32);
        /* the parser takes decimal exponents up to 4000; beyond, a power of ten */
        if (sh > 3000 || sh < -3000)
            sprintf(out, "(%s * 10^(%ld))", d, (long) -sh);
        else
            sprintf(out, fmpz_sgn(num) < 0 ? "(%se%ld)" : "%se%ld", d, (long) -sh);
        flint_free(d);
    }
    fmpz_clear(num);
    fmpz_clear(p);
    fmpq_clear(t);
    return out;
}

/* b moved past x: up = 1: upper(x) + |upper(x)| delta (or + delta at 0);
 * up = 0: lower(x) - |lower(x)| delta. */
static void moved(fmpq_t q, const arb_t x, int up, const fmpq_t delta)
{
    arf_t b;
    fmpq_t t;
    arf_init(b);
    fmpq_init(t);
    if (up)
        arb_get_ubound_arf(b, x, ARF_PREC_EXACT);
    else
        arb_get_lbound_arf(b, x, ARF_PREC_EXACT);
    arf_get_fmpq(q, b);
    fmpq_mul(t, q, delta);
    fmpq_abs(t, t);
    if (fmpq_is_zero(t))
        fmpq_set(t, delta);
    if (up)
        fmpq_add(q, q, t);
    else
        fmpq_sub(q, q, t);
    fmpq_clear(t);
    arf_clear(b);
}

int cp_claim_mutants(char **out, int max, const cp_kv *params, const cp_check_run *orig,
                     const fmpq_t delta, char *err)
{
    claim *c = malloc(sizeof *c);
    int n = 0;
    if (c == NULL || compile(c, params, err) != 0) {
        if (c)
            claim_clear(c);
        free(c);
        return -1;
    }
    const cp_item_values *gt = cp_run_items(orig, "claim.gt"), *lt = cp_run_items(orig, "claim.lt");
    fmpq_t q;
    fmpq_init(q);
    size_t cap = strlen(c->text) + 1024;
    if (c->form == F_CMP) {
        /* D = lhs - rhs; lhs REL rhs + c' with c' past D's certified extreme */
        const cp_item_values *it = is_lower_rel(c->rel) ? gt : lt;
        if (it && it->set[0] && n < max) {
            moved(q, it->v, is_lower_rel(c->rel), delta);
            char *qs = fmt_q(q, is_lower_rel(c->rel));
            out[n] = malloc(cap + strlen(qs));
            sprintf(out[n++], "%s %s (%s) + %s", c->lhs_text, rel_name(c->rel), c->rhs_text, qs);
            free(qs);
        }
    } else if (c->form == F_IN) {
        /* the upper end below the largest certified value, the lower end above the smallest */
        if (lt && lt->set[0] && n < max) {
            moved(q, lt->v, 0, delta);                 /* D = lhs - hi */
            char *qs = fmt_q(q, 0);
            out[n] = malloc(cap + strlen(qs));
            sprintf(out[n++], "%s in [%s, (%s) + %s]", c->lhs_text, c->lo_text, c->hi_text, qs);
            free(qs);
        }
        if (gt && gt->set[0] && n < max) {
            moved(q, gt->v, 1, delta);                 /* D = lhs - lo */
            char *qs = fmt_q(q, 1);
            out[n] = malloc(cap + strlen(qs));
            sprintf(out[n++], "%s in [(%s) + %s, %s]", c->lhs_text, c->lo_text, qs, c->hi_text);
            free(qs);
        }
    } else if (n < max) {
        static const char *flip[][2] = { { "increasing", "nonincreasing" }, { "decreasing", "nondecreasing" },
                                         { "nondecreasing", "decreasing" }, { "nonincreasing", "increasing" } };
        for (int i = 0; i < 4; i++)
            if (strcmp(c->mono_word, flip[i][0]) == 0) {
                out[n] = malloc(cap);
                sprintf(out[n++], "%s %s in %s", c->lhs_text, flip[i][1], c->mono_key);
            }
    }
    fmpq_clear(q);
    claim_clear(c);
    free(c);
    return n;
}
