/* engine_cli.c -- helpers shared by `simulate` and `train`: --config
 * files, the progress bar, and JSON/CSV provenance (engine.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cblas.h>
#include "crossproof/cli.h"
#include "crossproof/engine.h"

int cp_engine_load_config(cp_kv *kv, const char *path, char *err)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    int ln = 0;
    if (!f) {
        snprintf(err, CP_ERRLEN, "--config: cannot read %.400s", path);
        return -1;
    }
    snprintf(kv->origin, sizeof kv->origin, "%s", path);
    while (fgets(line, sizeof line, f)) {
        ln++;
        char *p = line, *eq, *end;
        while (isspace((unsigned char) *p)) p++;
        if (*p == '\0' || *p == '#')
            continue;
        if (!(eq = strchr(p, '='))) {
            snprintf(err, CP_ERRLEN, "%.300s:%d: expected key = value", path, ln);
            fclose(f);
            return -1;
        }
        *eq = '\0';
        for (end = eq; end > p && isspace((unsigned char) end[-1]); end--) *(end - 1) = '\0';
        char *v = eq + 1;
        while (isspace((unsigned char) *v)) v++;
        char *hash = strchr(v, '#');
        if (hash) *hash = '\0';
        for (end = v + strlen(v); end > v && isspace((unsigned char) end[-1]); end--) *(end - 1) = '\0';
        if (cp_kv_set(kv, p, v, ln, 0) != 0) {
            snprintf(err, CP_ERRLEN, "%.200s:%d: parameter %.100s given twice", path, ln, p);
            fclose(f);
            return -1;
        }
    }
    fclose(f);
    return 0;
}

void cp_engine_progress_bar(double frac, void *arg)
{
    const char *label = arg;
    int n = (int) (frac * 40.0 + 0.5);
    fprintf(stderr, "\r%s [", label ? label : "");
    for (int i = 0; i < 40; i++)
        fputc(i < n ? '#' : ' ', stderr);
    fprintf(stderr, "] %3d%%", (int) (frac * 100.0 + 0.5));
    if (frac >= 1.0)
        fprintf(stderr, "\r%*s\r", 60 + (label ? (int) strlen(label) : 0), "");
    fflush(stderr);
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
