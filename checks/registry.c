/* registry.c -- every check module and quantity table, in one list.
 * To add a theorem: write theorems/X.md and checks/X.c, export its table
 * `const cp_check_def cp_checks_X[]`, and add it below (README, "Adding a
 * theorem"). */
#include <stddef.h>
#include "crossproof/check.h"
#include "crossproof/quantity.h"

extern const cp_check_def cp_checks_lsa_impossibility[];
extern const cp_check_def cp_checks_gradient_flow[], cp_checks_two_parameter[];
extern const cp_check_def cp_checks_risk_limits[];
extern const cp_check_def cp_checks_finite_size[];
extern const cp_check_def cp_checks_general_model[];
extern const cp_check_def cp_checks_general_engine[];

const cp_check_def *const cp_check_tables[] = {
    cp_checks_lsa_impossibility,
    cp_checks_gradient_flow, cp_checks_two_parameter,
    cp_checks_risk_limits,
    cp_checks_finite_size,
    cp_checks_general_model,
    cp_checks_general_engine,
    NULL
};

extern const cp_quantity_def cp_quantities_core[];
extern const cp_quantity_def cp_quantities_flow[];
extern const cp_quantity_def cp_quantities_finite_exact[];
extern const cp_quantity_def cp_quantities_finite_bound[];
extern const cp_quantity_def cp_quantities_general[];

const cp_quantity_def *const cp_quantity_tables[] = {
    cp_quantities_core,
    cp_quantities_flow,
    cp_quantities_finite_exact,
    cp_quantities_finite_bound,
    cp_quantities_general,
    NULL
};
