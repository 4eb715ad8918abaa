/* arbcompat.h -- one include for Arb on both layouts.
 *
 * Debian 12: FLINT 2.9 plus a separate Arb 2.23 (<arb.h>, -lflint-arb).
 * FLINT 3:   Arb merged into FLINT (<flint/arb.h>, -lflint).
 * The Makefile defines CP_FLINT3 when <flint/arb.h> compiles; an installed
 * header used without that flag decides the same way by __has_include, so a
 * program built against the installed library needs no -D flag. */
#ifndef CROSSPROOF_ARBCOMPAT_H
#define CROSSPROOF_ARBCOMPAT_H

#if !defined(CP_FLINT3) && defined(__has_include)
# if __has_include(<flint/arb.h>)
#  define CP_FLINT3 1
# endif
#endif

#ifdef CP_FLINT3
# include <flint/flint.h>
# include <flint/fmpq.h>
# include <flint/arb.h>
# include <flint/acb.h>
# include <flint/arb_mat.h>
# include <flint/arb_hypgeom.h>
# include <flint/acb_calc.h>
#else
# include <flint/flint.h>
# include <flint/fmpq.h>
# include <arb.h>
# include <acb.h>
# include <arb_mat.h>
# include <arb_hypgeom.h>
# include <acb_calc.h>
#endif

#endif
