#!/bin/sh
# bench/compare_certified.sh -- issue 14, item 4: the certified alpha_T under the Beta prior
# against its uncertified peer bench/alpha_beta_mpmath.py (50-digit mpmath, same first-order
# condition, closed form of docs/model.md section 15), measured in one run.
#
#   sh bench/compare_certified.sh [PROG]        (PROG defaults to build/crossproof)
#
# Case: m_lo = 1/2, m_hi = 4, Beta(2, 2), T = 1000 (CP_CMP_CASE="m_lo m_hi a b T" changes
# it); the certified side is `PROG eval alpha-opt prior=beta ... --digits D --json`, D =
# CP_CMP_DIGITS (default 50, the peer's digits).  CP_CMP_REPS rounds (default 7) alternate
# the two so both see the same load.  Reported medians:
#   certified  wall time of the whole crossproof process (startup and output included)
#   peer-proc  wall time of the whole peer process (Python start and `import mpmath` included)
#   peer-calc  the peer's own timing of the computation alone (the strictest comparison)
#   cert-calc  the same certified computation in process (build/bench/bench_certified, when built:
#              `make build/bench/bench_certified`), no process start-up
#   expansion  (CP_CMP_BEFORE=1 only) cert-calc with the method before issue 14 (--expansion)
# and the ratios certified/peer-calc, certified/peer-proc and cert-calc/peer-calc (<= 1: no
# slower), and whether the peer's value lies in the certified enclosure widened by 10^-45.
# Needs mpmath in $PYTHON (default /usr/bin/python3); exits 2 with the install line otherwise
# and never installs anything.
PROG=${1:-build/crossproof}
PY=${PYTHON:-/usr/bin/python3}
if ! "$PY" -c 'import mpmath' >/dev/null 2>&1; then
    echo "compare_certified: $PY has no mpmath (as root: apt-get install -y python3-mpmath)" >&2
    exit 2
fi
if [ ! -x "$PROG" ]; then
    echo "compare_certified: $PROG not built" >&2
    exit 1
fi
cd "$(dirname "$0")/.." || exit 1
exec "$PY" - "$PROG" <<'PYEOF'
import json, os, subprocess, sys, time
from mpmath import mp, mpf

prog = sys.argv[1]
case = os.environ.get("CP_CMP_CASE", "1/2 4 2 2 1000").split()
digits = int(os.environ.get("CP_CMP_DIGITS", "50"))
reps = int(os.environ.get("CP_CMP_REPS", "7"))
if len(case) != 5:
    sys.exit("compare_certified: CP_CMP_CASE needs 'm_lo m_hi a b T'")
m_lo, m_hi, a, b, T = case
cert_cmd = [prog, "eval", "alpha-opt", "prior=beta", f"m_lo={m_lo}", f"m_hi={m_hi}", f"beta_a={a}",
            f"beta_b={b}", f"T={T}", "--digits", str(digits), "--json"]
peer_cmd = [sys.executable, "bench/alpha_beta_mpmath.py", m_lo, m_hi, a, b, T, "1", "50"]


def timed(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if p.returncode != 0 and not (cmd[0].endswith("bench_certified") and p.returncode == 1):
        sys.exit(f"compare_certified: failed (exit {p.returncode}): {p.stderr.strip()}\n  {' '.join(cmd)}")
    return dt, p.stdout


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])


bench = os.path.join(os.path.dirname(prog), "bench", "bench_certified")
calc_cmd = [bench, "--ms", T, str(digits), "1", m_lo, m_hi, a, b] if os.access(bench, os.X_OK) else None
before = os.environ.get("CP_CMP_BEFORE", "0") == "1" and calc_cmd is not None
cert, pproc, pcalc, ccalc, cexp = [], [], [], [], []
lo = hi = peer = None
for _ in range(reps):
    if calc_cmd:
        ccalc.append(float(timed(calc_cmd)[1]) * 1e-3)
        if before:
            cexp.append(float(timed(calc_cmd[:1] + ["--expansion"] + calc_cmd[1:])[1]) * 1e-3)
    dt, out = timed(cert_cmd)
    cert.append(dt)
    j = json.loads(out)
    lo, hi = j["lower"], j["upper"]
    dt, out = timed(peer_cmd)
    pproc.append(dt)
    f = out.split()
    peer = f[1]
    pcalc.append(float(f[3]))

mp.dps = 80
tol = mpf(10) ** -45
agree = mpf(lo) - tol <= mpf(peer) <= mpf(hi) + tol
c, pp, pc = median(cert), median(pproc), median(pcalc)
print(f"compare_certified: alpha_T, Beta({a}, {b}) on [{m_lo}, {m_hi}], T = {T}, {reps} rounds")
print(f"  certified  {c * 1e3:8.1f} ms  {' '.join(cert_cmd)}")
print(f"  peer-proc  {pp * 1e3:8.1f} ms  {' '.join(peer_cmd)}")
print(f"  peer-calc  {pc * 1e3:8.1f} ms  (the peer's own timing of the computation)")
if ccalc:
    cc = median(ccalc)
    print(f"  cert-calc  {cc * 1e3:8.3f} ms  {' '.join(calc_cmd)}")
if cexp:
    print(f"  expansion  {median(cexp) * 1e3:8.3f} ms  (the same with --expansion, the method before issue 14)")
print(f"  ratio certified/peer-calc = {c / pc:.2f}   certified/peer-proc = {c / pp:.2f}   (<= 1: no slower)")
if ccalc:
    print(f"  ratio cert-calc/peer-calc = {cc / pc:.3f}" +
          (f"   expansion/peer-calc = {median(cexp) / pc:.1f}" if cexp else ""))
print(f"  agreement: peer {peer} {'inside' if agree else 'OUTSIDE'} [{lo}, {hi}] +- 1e-45")
sys.exit(0 if agree else 1)
PYEOF
