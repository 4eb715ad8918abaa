#!/usr/bin/env python3
"""bench/alpha_beta_mpmath.py -- the uncertified peer of `crossproof eval alpha-opt prior=beta`
(issue 14, item 4): alpha_T, the root of the first-order condition E[s u^(2T-1)] = 0,
u = 1 - alpha (1 + s) (docs/model.md (GF-2)), for s = m_lo + (m_hi - m_lo) x, x ~ Beta(a, b)
with integer shapes, in 50-digit mpmath arithmetic, no error bounds.

The expectation is the closed form of docs/model.md section 15: with w = wa + c x
(wa = 1 - alpha (1 + m_lo), c = -alpha (m_hi - m_lo), wb = wa + c), the Beta density is the
polynomial (w - wa)^(a-1) (wb - w)^(b-1) / (c^(a+b-2) B(a, b)) in w, so
E[s w^k] = 1/(c B) sum_i P_i (wb^(k+i+1) - wa^(k+i+1)) / (k+i+1).  The root is found by a
bracketing secant method (mpmath.findroot, solver anderson) from a bracket around alpha*.

    alpha_beta_mpmath.py [m_lo m_hi a b T [reps [dps]]]     defaults 1/2 4 2 2 1000 5 50

Prints `alpha <50 digits> seconds <median of reps>`, the time of the computation alone
(interpreter start and `import mpmath` excluded; the wall time of the whole process is what
bench/compare_certified.sh measures next to it).  Exit 2 on bad input or without mpmath."""
import sys
import time

try:
    import mpmath as mp
except ImportError:
    sys.stderr.write("alpha_beta_mpmath: %s has no mpmath (as root: apt-get install -y python3-mpmath)\n"
                     % sys.executable)
    sys.exit(2)

args = sys.argv[1:]
defaults = ["1/2", "4", "2", "2", "1000", "5", "50"]
if len(args) > len(defaults):
    sys.exit("usage: alpha_beta_mpmath.py [m_lo m_hi a b T [reps [dps]]]")
args += defaults[len(args):]
try:
    from fractions import Fraction
    m_lo_q, m_hi_q = Fraction(args[0]), Fraction(args[1])
    a, b, T, reps, dps = (int(x) for x in args[2:])
except ValueError as e:
    sys.stderr.write("alpha_beta_mpmath: bad argument: %s\n" % e)
    sys.exit(2)
if not (0 <= m_lo_q < m_hi_q) or a < 1 or b < 1 or T < 1 or reps < 1 or dps < 15:
    sys.stderr.write("alpha_beta_mpmath: need 0 <= m_lo < m_hi, integer shapes a, b >= 1, T >= 1, reps >= 1, dps >= 15\n")
    sys.exit(2)

mp.mp.dps = dps
m_lo = mp.mpf(m_lo_q.numerator) / m_lo_q.denominator
m_hi = mp.mpf(m_hi_q.numerator) / m_hi_q.denominator
D = m_hi - m_lo
k = 2 * T - 1
inv_beta = (a + b - 1) * mp.binomial(a + b - 2, a - 1)      # 1/B(a, b), integer shapes


def pmul(p, q):
    r = [mp.mpf(0)] * (len(p) + len(q) - 1)
    for i, x in enumerate(p):
        for j, y in enumerate(q):
            r[i + j] += x * y
    return r


def foc(alpha):
    """E[s u^k] / max(|wa|, |wb|)^(k+1): same sign and root as E[s u^(2T-1)], values of order one."""
    wa = 1 - alpha * (1 + m_lo)
    wb = 1 - alpha * (1 + m_hi)
    c = wb - wa
    P = [m_lo - D * wa / c, D / c]                 # s as a polynomial in w
    for _ in range(a - 1):
        P = pmul(P, [-wa / c, 1 / c])              # x = (w - wa)/c
    for _ in range(b - 1):
        P = pmul(P, [wb / c, -1 / c])              # 1 - x = (wb - w)/c
    tot = mp.mpf(0)
    for i, p in enumerate(P):
        n = k + i + 1
        tot += p * (wb ** n - wa ** n) / n
    return tot * inv_beta / c / max(abs(wa), abs(wb)) ** (k + 1)


def alpha_T():
    # the root lies in (0, 1/(1 + m_lo)) (GF-2); bracket it by steps of 1/T from alpha*
    star = 2 / (2 + m_lo + m_hi)
    h = 1 / mp.mpf(4 * T)
    lo, hi = star - h, star + h
    while lo > 0 and foc(lo) < 0:
        lo, h = max(lo - h, lo / 2), 2 * h
    while hi < 1 / (1 + m_lo) and foc(hi) > 0:
        hi, h = min(hi + h, (hi + 1 / (1 + m_lo)) / 2), 2 * h
    return mp.findroot(foc, (lo, hi), solver="anderson", tol=mp.mpf(10) ** (-2 * dps + 10))


times = []
for _ in range(reps):
    t0 = time.perf_counter()
    r = alpha_T()
    times.append(time.perf_counter() - t0)
times.sort()
print("alpha %s seconds %.6g" % (mp.nstr(r, dps), times[len(times) // 2]))
