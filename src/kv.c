/* kv.c -- typed key = value parameters with exact rationals (kv.h). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crossproof/kv.h"

void cp_kv_init(cp_kv *kv, const char *origin)
{
    kv->e = NULL;
    kv->n = kv->cap = 0;
    snprintf(kv->origin, sizeof kv->origin, "%s", origin ? origin : "");
}

void cp_kv_clear(cp_kv *kv)
{
    for (int i = 0; i < kv->n; i++) {
        free(kv->e[i].key);
        free(kv->e[i].value);
    }
    free(kv->e);
    kv->e = NULL;
    kv->n = kv->cap = 0;
}

const cp_kv_entry *cp_kv_find(const cp_kv *kv, const char *key)
{
    for (int i = 0; i < kv->n; i++)
        if (strcmp(kv->e[i].key, key) == 0)
            return &kv->e[i];
    return NULL;
}

int cp_kv_has(const cp_kv *kv, const char *key)
{
    return cp_kv_find(kv, key) != NULL;
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *r = malloc(n);
    if (r == NULL) {
        fprintf(stderr, "crossproof: out of memory\n");
        exit(3);
    }
    memcpy(r, s, n);
    return r;
}

int cp_kv_set(cp_kv *kv, const char *key, const char *value, int line, int allow_replace)
{
    /* a block or command line has a few dozen keys at most; the cap keeps
     * the linear search below from becoming quadratic on hostile input */
    if (kv->n >= CP_MAX_KEYS && cp_kv_find(kv, key) == NULL)
        return -2;
    for (int i = 0; i < kv->n; i++) {
        if (strcmp(kv->e[i].key, key) == 0) {
            if (!allow_replace)
                return -1;
            free(kv->e[i].value);
            kv->e[i].value = dupstr(value);
            kv->e[i].line = line;
            return 0;
        }
    }
    if (kv->n == kv->cap) {
        int cap = kv->cap ? 2 * kv->cap : 16;
        cp_kv_entry *e = realloc(kv->e, (size_t) cap * sizeof *e);
        if (e == NULL) {
            fprintf(stderr, "crossproof: out of memory\n");
            exit(3);
        }
        kv->e = e;
        kv->cap = cap;
    }
    kv->e[kv->n].key = dupstr(key);
    kv->e[kv->n].value = dupstr(value);
    kv->e[kv->n].line = line;
    kv->n++;
    return 0;
}

int cp_kv_add_arg(cp_kv *kv, const char *arg, char *err)
{
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg) {
        cp_errf(err, "expected key=value, got '%s'", arg);
        return -1;
    }
    char key[128];
    size_t n = (size_t) (eq - arg);
    if (n >= sizeof key) {
        cp_errf(err, "parameter name too long in '%s'", arg);
        return -1;
    }
    memcpy(key, arg, n);
    key[n] = '\0';
    int r = cp_kv_set(kv, key, eq + 1, 0, 0);
    if (r == -2) {
        cp_errf(err, "parameter %s: more than %d parameters on the command line", key, CP_MAX_KEYS);
        return -1;
    }
    if (r != 0) {
        cp_errf(err, "parameter %s given twice on the command line", key);
        return -1;
    }
    return 0;
}

void cp_errf(char *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, CP_ERRLEN, fmt, ap);
    va_end(ap);
}

void cp_kv_error(char *err, const cp_kv *kv, const char *key, const char *fmt, ...)
{
    char msg[CP_ERRLEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const cp_kv_entry *e = key ? cp_kv_find(kv, key) : NULL;
    if (e != NULL && e->line == 0 && key != NULL)     /* given on the command line */
        cp_errf(err, "parameter %s: %s", key, msg);
    else if (kv->origin[0] != '\0' && e != NULL && e->line > 0)
        cp_errf(err, "%s:%d: %s", kv->origin, e->line, msg);
    else if (kv->origin[0] != '\0' && kv->n > 0 && kv->e[0].line > 0)
        cp_errf(err, "%s:%d: %s", kv->origin, kv->e[0].line, msg);
    else if (key != NULL)
        cp_errf(err, "parameter %s: %s", key, msg);
    else
        cp_errf(err, "%s", msg);
}

/* --- exact numbers ---------------------------------------------------- */

/* Parses an unsigned decimal [digits][.digits][e[+-]digits] into num/den.
 * Exponents are capped at |e| <= 4000 so that "1e999999999" is an error,
 * not an attempt to allocate a billion digits. */
static int parse_decimal(fmpq_t out, const char *t)
{
    const char *p = t;
    fmpz_t num, den, ten;
    int ndig = 0;
    long exp10 = 0;

    fmpz_init(num);
    fmpz_init(den);
    fmpz_init_set_ui(ten, 10);
    fmpz_one(den);
    while (isdigit((unsigned char) *p)) {
        fmpz_mul_ui(num, num, 10);
        fmpz_add_ui(num, num, (ulong) (*p - '0'));
        p++;
        ndig++;
    }
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char) *p)) {
            fmpz_mul_ui(num, num, 10);
            fmpz_add_ui(num, num, (ulong) (*p - '0'));
            exp10--;
            p++;
            ndig++;
        }
    }
    int ok = ndig > 0 && ndig <= 10000;
    if (ok && (*p == 'e' || *p == 'E')) {
        p++;
        int sign = 1;
        if (*p == '+' || *p == '-') {
            sign = (*p == '-') ? -1 : 1;
            p++;
        }
        if (!isdigit((unsigned char) *p))
            ok = 0;
        long e = 0;
        while (ok && isdigit((unsigned char) *p)) {
            e = 10 * e + (*p - '0');
            if (e > 4000)
                ok = 0;
            p++;
        }
        exp10 += sign * e;
    }
    if (ok && *p != '\0')
        ok = 0;
    if (ok && (exp10 > 4000 || exp10 < -14000))
        ok = 0;
    if (ok) {
        fmpz_t pw;
        fmpz_init(pw);
        fmpz_pow_ui(pw, ten, (ulong) labs(exp10));
        if (exp10 >= 0)
            fmpz_mul(num, num, pw);
        else
            fmpz_set(den, pw);
        fmpq_set_fmpz_frac(out, num, den);
        fmpz_clear(pw);
    }
    fmpz_clear(num);
    fmpz_clear(den);
    fmpz_clear(ten);
    return ok ? 0 : -1;
}

int cp_parse_rat(fmpq_t out, const char *text)
{
    const char *p = text;
    int neg = 0;
    while (isspace((unsigned char) *p))
        p++;
    if (*p == '+' || *p == '-') {
        neg = (*p == '-');
        p++;
    }
    char buf[16384];
    size_t n = strlen(p);
    while (n > 0 && isspace((unsigned char) p[n - 1]))
        n--;
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    char *slash = strchr(buf, '/');
    if (slash != NULL) {
        *slash = '\0';
        fmpq_t a, b;
        fmpq_init(a);
        fmpq_init(b);
        int r = parse_decimal(a, buf) || parse_decimal(b, slash + 1) || fmpq_is_zero(b);
        if (!r)
            fmpq_div(out, a, b);
        fmpq_clear(a);
        fmpq_clear(b);
        if (r)
            return -1;
    } else if (parse_decimal(out, buf) != 0) {
        return -1;
    }
    if (neg)
        fmpq_neg(out, out);
    return 0;
}

int cp_parse_int(slong *out, const char *text)
{
    fmpq_t q;
    fmpq_init(q);
    int r = cp_parse_rat(q, text);
    if (r == 0 && (!fmpz_is_one(fmpq_denref(q)) || !fmpz_fits_si(fmpq_numref(q))))
        r = -1;
    if (r == 0)
        *out = fmpz_get_si(fmpq_numref(q));
    fmpq_clear(q);
    return r;
}

static int is_word(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char) *s) || *s == '_' || *s == '-' || *s == '.'))
            return 0;
    return 1;
}

static const cp_key_spec *spec_find(const cp_key_spec *specs, const char *key)
{
    for (; specs->name != NULL; specs++)
        if (strcmp(specs->name, key) == 0)
            return specs;
    return NULL;
}

/* One item of an integer list: "n", "a..b" or "a..b step s" (s >= 1,
 * a <= b).  Appends its values to out (when out != NULL) and adds their
 * number to *count; returns 0, -1 when malformed, -2 when the list would
 * exceed CP_MAX_LIST values. */
static int intlist_item(slong *out, slong *count, const char *item)
{
    char buf[128], *dots, *step;
    slong a, b, st = 1;
    size_t n = strlen(item);
    while (n > 0 && isspace((unsigned char) item[n - 1]))
        n--;
    while (n > 0 && isspace((unsigned char) *item))
        item++, n--;
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, item, n);
    buf[n] = '\0';
    dots = strstr(buf, "..");
    if (dots == NULL) {
        if (cp_parse_int(&a, buf) != 0)
            return -1;
        if (*count >= CP_MAX_LIST)
            return -2;
        if (out)
            out[*count] = a;
        (*count)++;
        return 0;
    }
    *dots = '\0';
    step = strstr(dots + 2, " step ");
    if (step != NULL) {
        *step = '\0';
        if (cp_parse_int(&st, step + 6) != 0 || st < 1)
            return -1;
    }
    if (strchr(buf, ' ') || strchr(dots + 2, ' ')
        || cp_parse_int(&a, buf) != 0 || cp_parse_int(&b, dots + 2) != 0 || a > b)
        return -1;
    if ((b - a) / st + 1 > CP_MAX_LIST - *count)
        return -2;
    for (slong x = a; ; x += st) {
        if (out)
            out[*count] = x;
        (*count)++;
        if (b - x < st)
            break;
    }
    return 0;
}

int cp_parse_intlist(slong **out, slong *n, const char *text)
{
    slong count = 0;
    int r = 0;
    size_t len = strlen(text);
    char *copy, *save = NULL;
    if (len == 0 || text[0] == ',' || text[len - 1] == ',' || strstr(text, ",,"))
        return -1;
    copy = dupstr(text);
    for (char *tok = strtok_r(copy, ",", &save); tok && r == 0; tok = strtok_r(NULL, ",", &save))
        r = intlist_item(NULL, &count, tok);
    free(copy);
    if (r != 0 || out == NULL)
        return r;
    *out = flint_malloc((size_t) count * sizeof(slong));
    *n = 0;
    copy = dupstr(text);
    save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        intlist_item(*out, n, tok);
    free(copy);
    return 0;
}

/* Validates one value of the given type; returns 0 when well formed. */
static int value_ok(cp_key_type type, const char *v)
{
    fmpq_t q;
    slong i;
    int r = 0;
    switch (type) {
    case CP_KEY_RAT:
        fmpq_init(q);
        r = cp_parse_rat(q, v);
        fmpq_clear(q);
        return r;
    case CP_KEY_INT:
        return cp_parse_int(&i, v);
    case CP_KEY_WORD:
        return is_word(v) ? 0 : -1;
    case CP_KEY_TEXT:
        return *v ? 0 : -1;
    case CP_KEY_INTLIST:
        return cp_parse_intlist(NULL, NULL, v) == 0 ? 0 : -1;
    case CP_KEY_RATLIST: {
        char *copy = dupstr(v), *save = NULL;
        int count = 0;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            if (value_ok(CP_KEY_RAT, tok) != 0)
                r = -1;
            count++;
        }
        /* an empty item ("1,,2" or a trailing comma) is malformed */
        size_t n = strlen(v);
        if (count == 0 || v[0] == ',' || (n > 0 && v[n - 1] == ',') || strstr(v, ",,"))
            r = -1;
        free(copy);
        return r;
    }
    }
    return -1;
}

static const char *type_name(cp_key_type t)
{
    switch (t) {
    case CP_KEY_RAT: return "a number (decimal or p/q)";
    case CP_KEY_INT: return "an integer";
    case CP_KEY_WORD: return "a word";
    case CP_KEY_RATLIST: return "a comma-separated list of numbers";
    case CP_KEY_INTLIST: return "a comma-separated list of integers or ranges a..b [step s]";
    default: return "text";
    }
}

int cp_kv_validate(const cp_kv *kv, const cp_key_spec *specs, char *err)
{
    for (int i = 0; i < kv->n; i++) {
        const cp_kv_entry *e = &kv->e[i];
        const cp_key_spec *s = spec_find(specs, e->key);
        if (s == NULL) {
            cp_kv_error(err, kv, e->key, "unknown key '%s'", e->key);
            return -1;
        }
        if (value_ok(s->type, e->value) != 0) {
            cp_kv_error(err, kv, e->key, "malformed value '%s' for %s: expected %s",
                        e->value, e->key, type_name(s->type));
            return -1;
        }
    }
    return 0;
}

static const char *value_of(const cp_kv *kv, const cp_key_spec *specs, const char *key, char *err)
{
    const cp_kv_entry *e = cp_kv_find(kv, key);
    if (e != NULL)
        return e->value;
    const cp_key_spec *s = spec_find(specs, key);
    if (s != NULL && s->dflt != NULL)
        return s->dflt;
    cp_kv_error(err, kv, NULL, "missing required key '%s'", key);
    return NULL;
}

int cp_kv_get_rat(fmpq_t out, const cp_kv *kv, const cp_key_spec *specs, const char *key, char *err)
{
    const char *v = value_of(kv, specs, key, err);
    if (v == NULL)
        return -1;
    if (cp_parse_rat(out, v) != 0) {
        cp_kv_error(err, kv, key, "malformed number '%s' for %s", v, key);
        return -1;
    }
    return 0;
}

int cp_kv_get_int(slong *out, const cp_kv *kv, const cp_key_spec *specs, const char *key, char *err)
{
    const char *v = value_of(kv, specs, key, err);
    if (v == NULL)
        return -1;
    if (cp_parse_int(out, v) != 0) {
        cp_kv_error(err, kv, key, "malformed integer '%s' for %s", v, key);
        return -1;
    }
    return 0;
}

int cp_kv_get_word(const char **out, const cp_kv *kv, const cp_key_spec *specs, const char *key, char *err)
{
    const char *v = value_of(kv, specs, key, err);
    if (v == NULL)
        return -1;
    *out = v;
    return 0;
}

static slong count_items(const char *v)
{
    slong n = 1;
    for (; *v; v++)
        n += (*v == ',');
    return n;
}

int cp_kv_get_ratlist(fmpq **out, slong *n, const cp_kv *kv, const cp_key_spec *specs, const char *key, char *err)
{
    const char *v = value_of(kv, specs, key, err);
    if (v == NULL)
        return -1;
    if (value_ok(CP_KEY_RATLIST, v) != 0) {
        cp_kv_error(err, kv, key, "malformed list '%s' for %s", v, key);
        return -1;
    }
    *n = count_items(v);
    *out = _fmpq_vec_init(*n);
    char *copy = dupstr(v), *save = NULL;
    slong i = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        cp_parse_rat((*out) + i++, tok);
    free(copy);
    return 0;
}

int cp_kv_get_intlist(slong **out, slong *n, const cp_kv *kv, const cp_key_spec *specs, const char *key, char *err)
{
    const char *v = value_of(kv, specs, key, err);
    if (v == NULL)
        return -1;
    int r = cp_parse_intlist(out, n, v);
    if (r == -2)
        cp_kv_error(err, kv, key, "list '%s' for %s has more than %d values", v, key, CP_MAX_LIST);
    else if (r != 0)
        cp_kv_error(err, kv, key, "malformed list '%s' for %s", v, key);
    return r == 0 ? 0 : -1;
}

char *cp_trim(char *s)
{
    while (isspace((unsigned char) *s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char) s[n - 1]))
        s[--n] = '\0';
    return s;
}
