#!/usr/bin/env python3
"""NumPy peer of the new algorithm (sampler=tridiag, docs/model.md section 12): per prompt
s and 2d - 1 chi variables, the tridiagonal S = D J D / L, its eigenvalues and first
eigenvector components, and the spectral form (TR-3) of the conditional excess.  NumPy has
no batched tridiagonal eigensolver (SciPy's eigh_tridiagonal is one matrix at a time and
SciPy is not installed here), so S is handed to np.linalg.eigh as a dense batch: the
random numbers and the layer work are the new algorithm's, the eigen step is LAPACK's
dense O(d^3) one.

    python3 bench/ca_numpy_tridiag.py D L T [SECONDS [SEED [ALPHA]]]

Same model, arguments and output line as bench/ca_numpy_wishart.py.  Needs NumPy."""
import numpy as np

import ca_numpy_wishart
from ca_numpy_wishart import M_LO, M_HI, spectral_excess


def batch(rng, B, d, L, T, alpha):
    s = rng.uniform(M_LO, M_HI, B)
    b2 = rng.chisquare(L - np.arange(d), (B, d))
    c2 = rng.chisquare(d - 1 - np.arange(d - 1), (B, d - 1)) if d > 1 else np.zeros((B, 0))
    a = b2.copy()
    a[:, 1:] += c2
    e = np.sqrt(b2[:, :-1] * c2)
    a[:, 0] *= 1.0 + s
    e[:, 0] *= np.sqrt(1.0 + s)
    S = np.zeros((B, d, d))
    i = np.arange(d)
    S[:, i, i] = a / L
    S[:, i[:-1], i[1:]] = e / L
    S[:, i[1:], i[:-1]] = e / L
    l, U = np.linalg.eigh(S)
    return spectral_excess(s, l, U[:, 0, :] ** 2, T, alpha, L)


if __name__ == "__main__":
    ca_numpy_wishart.main(batch)
