/* main.c -- the crossproof command-line program: subcommand dispatch. */
#include <stdio.h>
#include <string.h>
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

int main(int argc, char **argv)
{
    cp_install_handlers();
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
