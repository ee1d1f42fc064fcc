"""Inter-rater reliability and agreement statistics (numpy/scipy/pandas only).

Every statistic takes a units x raters matrix (``nan`` = missing rating) and returns a frozen
:class:`ReliabilityResult`. Use :func:`compute` to pick a statistic by name, or call the
functions directly. :mod:`~csceval.reliability.layout` converts long or wide tables, contingency
tables and count tables into the matrix.

Constants: ``METHODS`` (the names :func:`compute` takes), ``CI_METHODS`` (its interval
methods), ``ICC_FORMS`` (the intraclass correlations, Shrout & Fleiss / McGraw & Wong forms) and
``LEVELS`` (levels of measurement).

>>> import numpy as np
>>> from csceval.reliability import compute
>>> ratings = np.array([[1, 1], [2, 2], [3, 2], [1, 1]])
>>> round(compute(ratings, "cohen").estimate, 3)
0.6

References
----------
- Bliese, P.D. (2000). Within-group agreement, non-independence, and reliability. In Klein &
  Kozlowski (eds.), *Multilevel Theory, Research, and Methods in Organizations*, 349-381.
- Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educ. Psychol. Meas.* 20,
  37-46; (1968) Weighted kappa. *Psychol. Bull.* 70, 213-220.
- Cronbach, L.J. (1951). Coefficient alpha and the internal structure of tests.
  *Psychometrika* 16, 297-334. Feldt, L.S. (1965). *Psychometrika* 30, 357-370.
- Fleiss, J.L. (1971). Measuring nominal scale agreement among many raters. *Psychol. Bull.*
  76, 378-382.
- Gwet, K.L. (2008). Computing inter-rater reliability and its variance in the presence of high
  agreement. *Br. J. Math. Stat. Psychol.* 61, 29-48; (2014) *Handbook of Inter-Rater
  Reliability*, 4th ed., Advanced Analytics.
- James, L.R., Demaree, R.G. & Wolf, G. (1984). *J. Appl. Psychol.* 69, 85-98. Lindell, M.K.,
  Brandt, C.J. & Whitney, D.J. (1999). *Appl. Psychol. Meas.* 23, 127-135.
- Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg School for
  Communication, https://repository.upenn.edu/asc_papers/43
- McDonald, R.P. (1999). *Test Theory: A Unified Treatment*. Erlbaum (omega total:
  :func:`mcdonald_omega`, from a one-factor maximum-likelihood model, :func:`one_factor_ml`).
- McGraw, K.O. & Wong, S.P. (1996). Forming inferences about some intraclass correlation
  coefficients. *Psychol. Methods* 1, 30-46.
- Shrout, P.E. & Fleiss, J.L. (1979). Intraclass correlations: uses in assessing rater
  reliability. *Psychol. Bull.* 86, 420-428.
"""

from csceval.reliability.agreement import (
    cohen_components,
    cohen_kappa,
    fleiss_components,
    fleiss_kappa,
    percent_agreement,
)
from csceval.reliability.bootstrap import (
    attach_bootstrap_ci,
    bootstrap_indices,
    bootstrap_matrix_ci,
    bootstrap_weights,
    percentile_interval,
)
from csceval.reliability.consistency import (
    aggregation_icc,
    cronbach_alpha,
    rwg,
    rwg_j,
    uniform_null_variance,
)
from csceval.reliability.dispatch import CI_METHODS, METHODS, compute
from csceval.reliability.gwet import gwet_ac, gwet_components
from csceval.reliability.icc import ICC_FORMS, MeanSquares, anova_mean_squares, icc, icc_f_test
from csceval.reliability.krippendorff import (
    coincidence_matrix,
    krippendorff_alpha,
    krippendorff_disagreement,
)
from csceval.reliability.layout import as_matrix, from_counts, from_table, from_wide, ratings_matrix
from csceval.reliability.omega import mcdonald_omega, one_factor_ml
from csceval.reliability.result import LEVELS, ReliabilityResult

__all__ = [
    "CI_METHODS",
    "ICC_FORMS",
    "LEVELS",
    "METHODS",
    "MeanSquares",
    "ReliabilityResult",
    "aggregation_icc",
    "anova_mean_squares",
    "as_matrix",
    "attach_bootstrap_ci",
    "bootstrap_indices",
    "bootstrap_matrix_ci",
    "bootstrap_weights",
    "cohen_components",
    "cohen_kappa",
    "coincidence_matrix",
    "compute",
    "cronbach_alpha",
    "fleiss_components",
    "fleiss_kappa",
    "from_counts",
    "from_table",
    "from_wide",
    "gwet_ac",
    "gwet_components",
    "icc",
    "icc_f_test",
    "krippendorff_alpha",
    "krippendorff_disagreement",
    "mcdonald_omega",
    "one_factor_ml",
    "percent_agreement",
    "percentile_interval",
    "ratings_matrix",
    "rwg",
    "rwg_j",
    "uniform_null_variance",
]
