#!/usr/bin/env python3
"""Straightforward vectorised NumPy reference for bench_engine: CA risk
estimation drawing full prompts (context and query), as a user would write it.

    python3 bench/ca_numpy.py D L T [SECONDS]

Prints one line "prompts_per_s <rate> risk <mean> stderr <se>".  Needs NumPy;
bench_engine runs it when `import numpy` works and otherwise falls back to the
stated 11,000 prompts/s (NumPy was not installed on the machine this was
written on, so this script has not been run there)."""
import sys
import time

import numpy as np


def batch(rng, B, d, L, T, alpha, m_lo=0.5, m_hi=4.0):
    s = rng.uniform(m_lo, m_hi, B)
    e = rng.standard_normal((B, d))
    m = e / np.linalg.norm(e, axis=1, keepdims=True) * np.sqrt(s)[:, None]
    zeta = rng.standard_normal(B)
    u = rng.standard_normal((B, L + 1))
    X = u[:, :, None] * m[:, None, :] + rng.standard_normal((B, L + 1, d))
    y = zeta[:, None] * u
    Xc, yc, xq, yq = X[:, :L], y[:, :L], X[:, L], y[:, L]
    Sig = np.einsum("bli,blj->bij", Xc, Xc) / L
    c = np.einsum("bli,bl->bi", Xc, yc) / L
    st = np.zeros((B, d))
    for _ in range(T):
        st = st - alpha * np.einsum("bij,bj->bi", Sig, st) + alpha * xq
    pred = np.einsum("bi,bi->b", c, st)
    return (yq - pred) ** 2


def main():
    d, L, T = (int(a) for a in sys.argv[1:4])
    budget = float(sys.argv[4]) if len(sys.argv) > 4 else 3.0
    alpha = 2.0 / 6.5
    rng = np.random.default_rng(1)
    losses, n, t0 = [], 0, time.perf_counter()
    B = max(1, 2_000_000 // (L * d))
    while time.perf_counter() - t0 < budget:
        losses.append(batch(rng, B, d, L, T, alpha))
        n += B
    dt = time.perf_counter() - t0
    x = np.concatenate(losses)
    print(f"prompts_per_s {n / dt:.1f} risk {x.mean():.6g} stderr {x.std(ddof=1) / np.sqrt(len(x)):.3g}")


if __name__ == "__main__":
    main()
