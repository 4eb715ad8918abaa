/* versions.c -- dependency versions for --version and report headers. */
#include <gmp.h>
#include <mpfr.h>
#include <stdio.h>
#include "crossproof/arbcompat.h"
#include "crossproof/cli.h"
#include "crossproof/output.h"

const char cp_version_string[] = "0.1.0";

/* OpenBLAS exports this; declared here to avoid depending on which cblas.h
 * the alternatives system selected. */
char *openblas_get_config(void);

static const char *arb_version_string(void)
{
#ifdef CP_FLINT3
    return "merged into FLINT";
#else
    return arb_version;
#endif
}

void cp_print_versions(FILE *f)
{
    fprintf(f, "crossproof %s\n", cp_version_string);
    fprintf(f, "FLINT %s\n", flint_version);
    fprintf(f, "Arb %s\n", arb_version_string());
    fprintf(f, "MPFR %s\n", mpfr_get_version());
    fprintf(f, "GMP %s\n", gmp_version);
    fprintf(f, "OpenBLAS %s\n", openblas_get_config());
}

void cp_json_versions(FILE *f)
{
    fprintf(f, "\"crossproof\": ");
    cp_json_string(f, cp_version_string);
    fprintf(f, ", \"flint\": ");
    cp_json_string(f, flint_version);
    fprintf(f, ", \"arb\": ");
    cp_json_string(f, arb_version_string());
    fprintf(f, ", \"mpfr\": ");
    cp_json_string(f, mpfr_get_version());
    fprintf(f, ", \"gmp\": ");
    cp_json_string(f, gmp_version);
    fprintf(f, ", \"openblas\": ");
    cp_json_string(f, openblas_get_config());
}
