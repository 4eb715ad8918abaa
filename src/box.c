/* box.c -- parameter boxes (box.h): the containers.  The ball model and
 * the readers come with the region enclosures (docs/model.md section 10). */
#include <string.h>
#include <stdio.h>
#include "crossproof/box.h"

void cp_box_init(cp_box *b, const cp_kv *kv)
{
    memset(b, 0, sizeof *b);
    b->kv = kv;
}

void cp_box_clear(cp_box *b)
{
    for (int i = 0; i < b->n; i++) {
        fmpq_clear(b->r[i].lo);
        fmpq_clear(b->r[i].hi);
    }
    b->n = 0;
}

int cp_box_add(cp_box *b, const char *key, const fmpq_t lo, const fmpq_t hi)
{
    if (b->n == CP_MAX_BOX_KEYS || cp_box_find(b, key) != NULL || strlen(key) >= sizeof b->r[0].key)
        return -1;
    cp_box_range *r = &b->r[b->n++];
    snprintf(r->key, sizeof r->key, "%s", key);
    fmpq_init(r->lo);
    fmpq_init(r->hi);
    fmpq_set(r->lo, lo);
    fmpq_set(r->hi, hi);
    return 0;
}

const cp_box_range *cp_box_find(const cp_box *b, const char *key)
{
    for (int i = 0; i < b->n; i++)
        if (strcmp(b->r[i].key, key) == 0)
            return &b->r[i];
    return NULL;
}

void cp_box_copy(cp_box *dst, const cp_box *src)
{
    cp_box_init(dst, src->kv);
    for (int i = 0; i < src->n; i++)
        cp_box_add(dst, src->r[i].key, src->r[i].lo, src->r[i].hi);
}
