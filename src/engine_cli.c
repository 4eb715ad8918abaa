/* engine_cli.c -- helpers shared by `simulate` and `train`: --config
 * files, the progress bar, and JSON/CSV provenance (engine.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cblas.h>
#include "crossproof/cli.h"
#include "crossproof/engine.h"
#include "crossproof/output.h"

/* --config files: a regular file of at most 1 MiB (output.h,
 * cp_read_regular: no device, FIFO or directory, no NUL byte), read whole
 * and split into lines in memory, so that a long line is never cut in two. */
#define CP_MAX_CONFIG_BYTES (1 << 20)

int cp_engine_load_config(cp_kv *kv, const char *path, char *err)
{
    size_t len;
    if (strlen(path) >= sizeof kv->origin) {
        snprintf(err, CP_ERRLEN, "--config: file name longer than %zu bytes", sizeof kv->origin - 1);
        return -1;
    }
    char *text = cp_read_regular(path, CP_MAX_CONFIG_BYTES, "--config file", &len, err);
    if (text == NULL)
        return -1;
    snprintf(kv->origin, sizeof kv->origin, "%s", path);
    int ln = 0, rc = 0;
    for (char *line = text, *next; line != NULL && *line != '\0' && rc == 0; line = next) {
        char *nl = strchr(line, '\n');
        next = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        ln++;
        char *p = cp_trim(line), *eq;
        if (*p == '\0' || *p == '#')
            continue;
        if (!(eq = strchr(p, '='))) {
            snprintf(err, CP_ERRLEN, "%.300s:%d: expected key = value", path, ln);
            rc = -1;
            break;
        }
        *eq = '\0';
        char *v = eq + 1, *hash = strchr(v, '#');
        if (hash) *hash = '\0';
        p = cp_trim(p);
        v = cp_trim(v);
        if (*p == '\0') {
            snprintf(err, CP_ERRLEN, "%.300s:%d: expected key = value", path, ln);
            rc = -1;
            break;
        }
        int r = cp_kv_set(kv, p, v, ln, 0);
        if (r == -2) {
            snprintf(err, CP_ERRLEN, "%.200s:%d: more than %d keys", path, ln, CP_MAX_KEYS);
            rc = -1;
        } else if (r != 0) {
            snprintf(err, CP_ERRLEN, "%.200s:%d: parameter %.100s given twice", path, ln, p);
            rc = -1;
        }
    }
    free(text);
    return rc;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

void cp_progress_start(cp_progress *p, const char *label, double total, const char *unit)
{
    memset(p, 0, sizeof *p);
    snprintf(p->label, sizeof p->label, "%s", label ? label : "");
    p->unit = unit ? unit : "";
    p->total = total;
    p->t0 = mono_s();
    p->last = p->t0;          /* the first redraw comes after 1/HZ s: short runs show nothing */
}

#define CP_PROGRESS_WIDTH 100

void cp_progress_update(cp_progress *p, double done)
{
    double now = mono_s();
    if (now - p->last < 1.0 / CP_PROGRESS_HZ)
        return;
    p->last = now;
    double el = now - p->t0, frac = p->total > 0 ? done / p->total : 0.0;
    if (frac > 1) frac = 1;
    double rate = el > 0 ? done / el : 0.0, eta = rate > 0 ? (p->total - done) / rate : 0.0;
    char bar[24];
    int n = (int) (frac * 20.0 + 0.5);
    for (int i = 0; i < 20; i++) bar[i] = i < n ? '#' : '.';
    bar[20] = '\0';
    char line[256];
    snprintf(line, sizeof line, "%s [%s] %3d%%  %.3g %s/s  ETA %.0f s", p->label, bar, (int) (frac * 100.0),
             rate, p->unit, eta);
    fprintf(stderr, "\r%-*.*s", CP_PROGRESS_WIDTH, CP_PROGRESS_WIDTH, line);
    fflush(stderr);
    p->shown = 1;
}

void cp_progress_done(cp_progress *p)
{
    if (p->shown) {
        fprintf(stderr, "\r%*s\r", CP_PROGRESS_WIDTH, "");
        fflush(stderr);
    }
    p->shown = 0;
}

void cp_engine_progress_bar(double frac, void *arg)
{
    cp_progress *p = arg;
    cp_progress_update(p, frac * p->total);
    if (frac >= 1.0)
        cp_progress_done(p);
}

int cp_engine_stderr_is_tty(void)
{
    return isatty(2);
}

void cp_engine_json_provenance(FILE *f)
{
    fprintf(f, "\"versions\": {");
    cp_json_versions(f);
    fprintf(f, "}, \"blas\": ");
    const char *cfg = openblas_get_config();
    fputc('"', f);
    for (const char *p = cfg; p && *p; p++)
        if (*p != '"' && *p != '\\' && (unsigned char) *p >= 32)
            fputc(*p, f);
    fputc('"', f);
}

/* Memory the engine will ask for, computed before anything is allocated
 * (docs/soundness.md, "Defect classes"), from the allocations of
 * cp_engine_ws_init (engine.c), the gradient slots of engine_run.c (512 per
 * round, np doubles each), the training state (3 np) and the grid slots of
 * engine_grid.c (256 per grid point).  In doubles, so that it cannot
 * overflow. */
double cp_engine_mem_estimate(long d, long T, long threads, long np, long npts)
{
    double n = (double) d + 1, p = (double) d + 2, dd = (double) d;
    double ws = 8.0 * (3 * dd + n * n + 512 * n + p * p + p * (n + 3) + ((double) T + 1) * dd + 4 * n + dd * dd);
    double per_thread = ws + 8.0 * (double) np + 16.0 * dd * (double) (npts > 0 ? npts : 1);
    return (double) (threads > 0 ? threads : 1) * per_thread + 8.0 * (512.0 + 3.0) * (double) np
           + 256.0 * 64.0 * (double) (npts > 0 ? npts : 1);
}

int cp_engine_mem_check(long d, long T, long threads, long np, long npts, char *err)
{
    double need = cp_engine_mem_estimate(d, T, threads, np, npts), cap = CP_ENGINE_MAX_BYTES;
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    if (pages > 0 && psize > 0 && (double) pages * (double) psize < cap)
        cap = (double) pages * (double) psize;     /* never more than the machine has */
    if (need > cap) {
        snprintf(err, CP_ERRLEN, "parameters d1 + d2 = %ld, T = %ld, threads = %ld%s: the engine would need about "
                 "%.3g GiB (cap %.3g GiB: 16 GiB or the physical memory); lower d1, d2, T or threads", d, T, threads,
                 npts > 1 ? " and the grid" : "", need / 1073741824.0, cap / 1073741824.0);
        return -1;
    }
    return 0;
}
