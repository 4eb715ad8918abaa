#!/bin/sh
# bench/compare_tridiag.sh -- issue 14's speed targets, measured in one run: the engine's
# default sampler (tridiag, docs/model.md section 12) against the engine before issue 14
# (sampler=wishart, same estimator) and three NumPy peers:
#   full      bench/ca_numpy.py          full prompts (L tokens and a query drawn)
#   wishart   bench/ca_numpy_wishart.py  the old engine's algorithm (Bartlett + FC-7 estimator)
#   tridiag   bench/ca_numpy_tridiag.py  the new algorithm (2d - 1 chi variables, TR-3)
#
#   sh bench/compare_tridiag.sh [PROG]        (PROG defaults to build/crossproof)
#
# Configurations: d = 20 (d1 = d2 = 10), L = 200, T = 20, alpha = alpha* (targets: >= 5x the
# old engine, >= 20x the same-algorithm NumPy script) and d = 128, L = 200, T = 100,
# alpha = 0.05 (target: >= 20x the old engine); >= 3x the NumPy script of the new algorithm.
# Each measurement runs about CP_CMP_SECONDS (default 3) of wall-clock time; engine rates are
# prompts / wall-clock of the whole command (startup included), threads=2; NumPy uses its
# default BLAS threads.  Ratios are raw prompts/s (the engine's two samplers and the two
# conditional NumPy peers have the same per-prompt variance, FC-7: their estimator is the
# same function of Sigma_hat; the full-prompt peer's variance is larger).  The machine is
# shared: read the ratios of one run, not the absolute rates.
PROG=${1:-build/crossproof}
PY=${PYTHON:-/usr/bin/python3}
if ! "$PY" -c 'import numpy' >/dev/null 2>&1; then
    echo "compare_tridiag: skipped: $PY has no NumPy (as root: apt-get install -y python3-numpy)"
    exit 0
fi
if [ ! -x "$PROG" ]; then
    echo "compare_tridiag: $PROG not built" >&2
    exit 1
fi
cd "$(dirname "$0")/.." || exit 1
exec "$PY" - "$PROG" <<'PYEOF'
import json, math, os, subprocess, sys, time

prog = sys.argv[1]
secs = float(os.environ.get("CP_CMP_SECONDS", "3"))


def numpy_run(script, d, L, T, alpha, seed=1):
    cmd = [sys.executable, f"bench/{script}", str(d), str(L), str(T), str(secs), str(seed), repr(alpha)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.split()
    f = dict(zip(out[0::2], out[1::2]))
    val = float(f.get("excess", f.get("risk")))
    return {"rate": float(f["prompts_per_s"]), "val": val, "se": float(f["stderr"]), "cmd": " ".join(cmd)}


def engine_run(d, L, T, alpha, sampler, prompts, seed=1):
    cmd = [prog, "simulate", f"d1={d // 2}", f"d2={d - d // 2}", f"L={L}", f"T={T}", f"alpha={alpha}",
           f"prompts={prompts}", f"seed={seed}", "threads=2", "--json"]
    if sampler:
        cmd.insert(-1, f"sampler={sampler}")
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"engine failed (exit {p.returncode}): {p.stderr.strip()}\n  {' '.join(cmd)}")
    j = json.loads(p.stdout)
    return {"rate": prompts / dt, "val": j["excess"], "se": j["excess_stderr"] if "excess_stderr" in j else j["stderr"],
            "sampler": j.get("sampler", sampler), "cmd": " ".join(cmd)}


def calibrated(d, L, T, alpha, sampler):
    probe = engine_run(d, L, T, alpha, sampler, 2000 if d > 64 else 20000, seed=999)
    return engine_run(d, L, T, alpha, sampler, max(2000, int(probe["rate"] * secs)))


def config(d, L, T, alpha, alabel):
    print(f"d = {d}, L = {L}, T = {T}, alpha = {alabel}:")
    r = {}
    r["engine tridiag"] = calibrated(d, L, T, alpha, None)
    r["engine wishart"] = calibrated(d, L, T, alpha, "wishart")
    r["numpy full"] = numpy_run("ca_numpy.py", d, L, T, alpha)
    r["numpy wishart"] = numpy_run("ca_numpy_wishart.py", d, L, T, alpha)
    r["numpy tridiag"] = numpy_run("ca_numpy_tridiag.py", d, L, T, alpha)
    new = r["engine tridiag"]
    for k, v in r.items():
        what = "risk (drawn query)" if k == "numpy full" else "excess"
        print(f"  {k:15s} {v['rate']:11.1f} prompts/s  {what} {v['val']:.6g} +/- {v['se']:.3g}"
              + ("" if k == "engine tridiag" else f"   ratio {new['rate'] / v['rate']:.1f}x"))
    z = (new["val"] - r["engine wishart"]["val"]) / math.hypot(new["se"], r["engine wishart"]["se"])
    print(f"  engine tridiag vs wishart excess: {z:+.2f} combined SE")
    print(f"  commands: {new['cmd']}\n            {r['engine wishart']['cmd']}")
    return {k: new["rate"] / v["rate"] for k, v in r.items() if k != "engine tridiag"}


print(f"compare_tridiag: NumPy {__import__('numpy').__version__} ({sys.executable}) vs {prog}, ~{secs:g} s per run")
a = config(20, 200, 20, 4 / 13, "alpha* = 4/13")
b = config(128, 200, 100, 0.05, "0.05")
print("RESULT d = 20, L = 200, T = 20: "
      f"{a['engine wishart']:.1f}x old engine (target 5x), {a['numpy wishart']:.1f}x same-algorithm NumPy (target 20x), "
      f"{a['numpy tridiag']:.1f}x new-algorithm NumPy (target 3x), {a['numpy full']:.1f}x full-prompt NumPy")
print("RESULT d = 128, L = 200, T = 100: "
      f"{b['engine wishart']:.1f}x old engine (target 20x), {b['numpy wishart']:.1f}x same-algorithm NumPy, "
      f"{b['numpy tridiag']:.1f}x new-algorithm NumPy (target 3x), {b['numpy full']:.1f}x full-prompt NumPy")
PYEOF
