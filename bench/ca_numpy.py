#!/usr/bin/env python3
"""Straightforward vectorised NumPy reference for the engine's speed targets:
CA risk estimation drawing full prompts (L context examples and the query) from
the model of docs/model.md (M-1, section 4), batched over prompts, as a user
would write it.

    python3 bench/ca_numpy.py D L T [SECONDS [SEED [ALPHA]]]

Model: s ~ U[m_lo, m_hi] (0.5, 4), m = sqrt(s) * uniform direction, zeta ~ N(0,1),
u ~ N(0,1), mu ~ N(0, I_d), x = u m + mu, y = zeta u (sigma = 0).  CA with
beta = -alpha (default alpha = alpha* = 2/(2 + m_lo + m_hi)), s_0 = 0,
s_{t+1} = (I - alpha Sigma_hat) s_t + alpha x_q for T layers, yhat = c_hat^T s_T,
loss (y_q - yhat)^2 on a fresh query.  Runs for about SECONDS (default 3) of
wall-clock time.

Prints one line
    prompts_per_s R risk M stderr S var V n N seconds SEC nonfinite K max X
(V = sample variance of the per-prompt loss; K = non-finite losses, which are
counted and left out of the mean; X = largest loss seen).  bench/bench_engine.c
reads the first field; bench/compare_numpy.sh reads them all.  Needs NumPy."""
import sys
import time

import numpy as np

M_LO, M_HI = 0.5, 4.0


def batch(rng, B, d, L, T, alpha):
    s = rng.uniform(M_LO, M_HI, B)
    e = rng.standard_normal((B, d))
    m = e / np.linalg.norm(e, axis=1, keepdims=True) * np.sqrt(s)[:, None]
    zeta = rng.standard_normal(B)
    u = rng.standard_normal((B, L + 1))
    X = rng.standard_normal((B, L + 1, d))            # mu
    X += u[:, :, None] * m[:, None, :]                # x = u m + mu
    y = zeta[:, None] * u                             # y = zeta u
    Xc, yc, xq, yq = X[:, :L], y[:, :L], X[:, L], y[:, L]
    Sig = Xc.transpose(0, 2, 1) @ Xc / L              # (B, d, d), batched BLAS
    c = (yc[:, None, :] @ Xc)[:, 0, :] / L            # (B, d)
    st = np.zeros((B, d))
    for _ in range(T):
        st = st - alpha * (Sig @ st[:, :, None])[:, :, 0] + alpha * xq
    pred = np.einsum("bi,bi->b", c, st)
    return (yq - pred) ** 2


def main():
    d, L, T = (int(a) for a in sys.argv[1:4])
    budget = float(sys.argv[4]) if len(sys.argv) > 4 else 3.0
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    alpha = float(sys.argv[6]) if len(sys.argv) > 6 else 2.0 / (2.0 + M_LO + M_HI)
    rng = np.random.default_rng(seed)
    B = max(1, 2_000_000 // (L * d))
    batch(rng, min(B, 8), d, L, T, alpha)             # warm up (imports, BLAS threads)
    losses, n, t0 = [], 0, time.perf_counter()
    while time.perf_counter() - t0 < budget:
        losses.append(batch(rng, B, d, L, T, alpha))
        n += B
    dt = time.perf_counter() - t0
    x = np.concatenate(losses)
    ok = np.isfinite(x)
    bad = int(n - ok.sum())
    x = x[ok]
    var = x.var(ddof=1)
    print(f"prompts_per_s {n / dt:.1f} risk {x.mean():.6g} stderr {np.sqrt(var / len(x)):.4g} "
          f"var {var:.6g} n {n} seconds {dt:.3f} nonfinite {bad} max {x.max():.4g}")


if __name__ == "__main__":
    main()
