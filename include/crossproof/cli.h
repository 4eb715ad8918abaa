/* cli.h -- subcommands of build/crossproof.  Each returns the process exit
 * code: 0 success, 1 a claim not established, 2 bad input. */
#ifndef CROSSPROOF_CLI_H
#define CROSSPROOF_CLI_H

int cp_cmd_audit(int argc, char **argv);
int cp_cmd_eval(int argc, char **argv);
int cp_cmd_list(int argc, char **argv);
int cp_cmd_mutate(int argc, char **argv);
int cp_cmd_flow(int argc, char **argv);
int cp_cmd_simulate(int argc, char **argv);
int cp_cmd_train(int argc, char **argv);

/* Parses an integer flag value in [lo, hi]; prints a one-line error
 * naming the flag and returns -1 when it is missing or out of range. */
#include "crossproof/arbcompat.h"
int cp_flag_int(slong *out, const char *cmd, const char *flag, const char *val, slong lo, slong hi);

/* 1 when a flag's value looks like an option ("-x", "--quiet"): the caller
 * reports it as a missing value (exit 2). */
int cp_flag_value_is_flag(const char *val);

/* Prints the dependency versions, one per line, to f. */
#include <stdio.h>
void cp_print_versions(FILE *f);
/* Writes "name version" pairs as a JSON object body (no braces). */
void cp_json_versions(FILE *f);
extern const char cp_version_string[];

#endif
