/* main.c -- the crossproof command-line program: subcommand dispatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "crossproof/arbcompat.h"
#include "crossproof/cli.h"
#include "crossproof/output.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} subcommand;

/* One line per subcommand; each lives in src/cmd_NAME.c. */
static const subcommand commands[] = {
    { "audit", cp_cmd_audit, "run the check blocks of theorem files, write the report" },
    { "eval",  cp_cmd_eval,  "print a certified enclosure of one named quantity" },
    { "list",  cp_cmd_list,  "list theorems, claim ids, checks and quantities" },
    { "mutate", cp_cmd_mutate, "try perturbed (false) variants of every claim; none may certify" },
    { "flow",  cp_cmd_flow,  "gradient flow of the L = inf CA loss; certifies the endpoint's attracting ball" },
    { "simulate", cp_cmd_simulate, "Monte Carlo risk estimates from the double engine (never certified)" },
    { "train", cp_cmd_train, "gradient descent of CA / LSA parameters on sampled prompts" },
    { NULL, NULL, NULL }
};

static void usage(FILE *f)
{
    fprintf(f, "usage: crossproof COMMAND [ARGS...]\n"
               "       crossproof --version | --help\n\n"
               "crossproof audits the claims of arXiv 2602.04872 with certified ball\n"
               "arithmetic (Arb) and a double-precision simulation engine.\n\ncommands:\n");
    for (const subcommand *c = commands; c->name; c++)
        fprintf(f, "  %-9s %s\n", c->name, c->summary);
    fprintf(f, "\n'crossproof COMMAND --help' describes each command.\n"
               "Exit codes: 0 success, 1 a claim not established, 2 bad input,\n"
               "3 out of memory or an internal error, 130 interrupted.\n");
}

/* OpenBLAS starts a thread pool with a buffer per thread in its library
 * constructor, before main(); under a low `ulimit -v` that start fails and
 * the process then hangs (docs/soundness.md, "Defect classes").  The engine
 * calls BLAS from its own worker threads with one BLAS thread each
 * (engine.c, openblas_set_num_threads(1)), so the pool is never used.  The
 * variable must be set before the library is loaded (a setenv in main() or
 * in .preinit_array is too late or undone by libc's start-up), so when
 * OPENBLAS_NUM_THREADS is not set, main() sets it to 1 and executes the
 * program again: same pid, so signals and exit codes are unchanged, and
 * exec runs no exit handler of the failed pool.  CP_NO_REEXEC=1 (set for
 * the second image) stops a loop. */
static void pin_blas_threads(char **argv)
{
    if (getenv("OPENBLAS_NUM_THREADS") != NULL || getenv("CP_NO_REEXEC") != NULL)
        return;
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    setenv("CP_NO_REEXEC", "1", 1);
    execv("/proc/self/exe", argv);
    /* no /proc: carry on with the threads OpenBLAS chose */
}

static int run(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        cp_print_versions(stdout);
        return 0;
    }
    for (const subcommand *c = commands; c->name; c++)
        if (strcmp(argv[1], c->name) == 0) {
            int rc = c->run(argc - 1, argv + 1);
            flint_cleanup();   /* release FLINT's caches: valgrind-clean on every path */
            return rc;
        }
    fprintf(stderr, "crossproof: unknown command '%s' (try crossproof --help)\n", argv[1]);
    return 2;
}

int main(int argc, char **argv)
{
    pin_blas_threads(argv);
    unsetenv("CP_NO_REEXEC");
    cp_install_handlers();
    int rc = run(argc, argv);
    /* every write to standard output is checked: a full disk or a closed
     * pipe is an error, never exit 0 with a cut output */
    if (cp_stdout_close() != 0 && rc != 1)
        rc = 2;
    return rc;
}
