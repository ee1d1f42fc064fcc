"""CR2 and its Bell-McCaffrey degrees of freedom straight from the published formulas.

A dense transcription with the N x N hat matrix, independent of csceval's cluster-moment route
(numpy only, so both ``make_goldens.py`` and the tests can use it): on the ``sqrt(w)``-scaled
model, ``A_g = (I - H_gg)^{-1/2}`` by eigen-decomposition with the Moore-Penrose inverse for unit
eigenvalues (Bell & McCaffrey 2002; Pustejovsky & Tipton 2018, eq. 7 and Theorem 2), ``V = B
sum_g X_g'A_g e_g e_g'A_g X_g B``, and ``df = tr(G'G)^2 / tr((G'G)^2)`` with columns ``G_g =
(I - H)_{.,g} A_g X_g B c`` (Imbens & Kolesar 2016, eq. 8).
"""

from __future__ import annotations

import numpy as np


def naive_cr2(x, e, cl, w, c):
    """CR2 variance of ``c'beta`` and its Bell-McCaffrey df for residuals ``e``."""
    sw = np.sqrt(w)
    xs, es = x * sw[:, None], e * sw
    bread = np.linalg.inv(xs.T @ xs)
    ih = np.eye(len(e)) - xs @ bread @ xs.T
    meat = np.zeros((x.shape[1], x.shape[1]))
    gmat = []
    for g in np.unique(cl):
        rows = np.flatnonzero(cl == g)
        vals, vecs = np.linalg.eigh(ih[np.ix_(rows, rows)])
        inv_sqrt = np.where(vals > 1e-10, 1 / np.sqrt(np.clip(vals, 1e-10, None)), 0.0)
        a = (vecs * inv_sqrt) @ vecs.T
        u = xs[rows].T @ a @ es[rows]
        meat += np.outer(u, u)
        gmat.append(ih[:, rows] @ a @ xs[rows] @ bread @ c)
    gm = np.column_stack(gmat)
    m = gm.T @ gm
    return float(c @ bread @ meat @ bread @ c), float(np.trace(m) ** 2 / np.sum(m * m))
