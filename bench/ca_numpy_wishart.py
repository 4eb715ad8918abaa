#!/usr/bin/env python3
"""Same-algorithm NumPy peer of the engine before issue 14 (sampler=wishart with the
conditional estimator, docs/model.md FC-3, FC-7, FC-8 (i)): per prompt a Bartlett factor
of Wishart_d(L, I), Sigma_hat = D C C^T D / L with m = sqrt(s) e1 (rotation invariance),
and the excess integrated over zeta, the label noise and the query, from the
eigen-decomposition of Sigma_hat (batched LAPACK through np.linalg.eigh).

    python3 bench/ca_numpy_wishart.py D L T [SECONDS [SEED [ALPHA]]]

Model of bench/ca_numpy.py (s ~ U[0.5, 4], sigma = 0, tied CA, beta = -alpha, default
alpha* = 4/13).  Prints one line
    prompts_per_s R excess E stderr S var V n N seconds SEC nonfinite K
(E: mean conditional excess; V its per-prompt variance).  Needs NumPy."""
import sys
import time

import numpy as np

M_LO, M_HI = 0.5, 4.0


def spectral_excess(s, l, q2, T, alpha, L):
    """f of docs/model.md (TR-3) from eigenvalues l (B, d) and squared first components q2."""
    lam = 1.0 + s
    p = np.zeros_like(l)
    for _ in range(T):
        p = (1.0 - alpha * l) * p + alpha
    r = 1.0 - p * l
    u = p * p * l
    noise = (1.0 / lam) / L
    b1 = (r * r * q2).sum(1)
    b2 = (r * q2).sum(1)
    return s / lam ** 2 * (b1 + s * b2 * b2) + noise * (u.sum(1) + s * (u * q2).sum(1))


def batch(rng, B, d, L, T, alpha):
    s = rng.uniform(M_LO, M_HI, B)
    C = np.tril(rng.standard_normal((B, d, d)), -1)
    dof = L - np.arange(d)
    C[:, np.arange(d), np.arange(d)] = np.sqrt(rng.chisquare(dof, (B, d)))
    C[:, 0, :] *= np.sqrt(1.0 + s)[:, None]          # D C, D = diag(sqrt(1+s), 1, ..)
    S = C @ C.transpose(0, 2, 1) / L
    l, U = np.linalg.eigh(S)
    return spectral_excess(s, l, U[:, 0, :] ** 2, T, alpha, L)


def main(batch_fn=None):
    """Runs batch_fn (default: this script's batch) for the time budget and prints the line."""
    batch_fn = batch_fn or batch
    d, L, T = (int(a) for a in sys.argv[1:4])
    budget = float(sys.argv[4]) if len(sys.argv) > 4 else 3.0
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    alpha = float(sys.argv[6]) if len(sys.argv) > 6 else 2.0 / (2.0 + M_LO + M_HI)
    rng = np.random.default_rng(seed)
    B = max(16, 400_000 // (d * d))
    batch_fn(rng, 8, d, L, T, alpha)
    vals, n, t0 = [], 0, time.perf_counter()
    while time.perf_counter() - t0 < budget:
        vals.append(batch_fn(rng, B, d, L, T, alpha))
        n += B
    dt = time.perf_counter() - t0
    x = np.concatenate(vals)
    ok = np.isfinite(x)
    x = x[ok]
    var = x.var(ddof=1)
    print(f"prompts_per_s {n / dt:.1f} excess {x.mean():.6g} stderr {np.sqrt(var / len(x)):.4g} var {var:.6g} "
          f"n {n} seconds {dt:.3f} nonfinite {int(n - ok.sum())}")


if __name__ == "__main__":
    main()
