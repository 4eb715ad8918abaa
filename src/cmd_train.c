/* cmd_train.c -- placeholder, replaced below */
#include "crossproof/cli.h"
int cp_cmd_train(int argc, char **argv) { (void) argc; (void) argv; return 2; }
