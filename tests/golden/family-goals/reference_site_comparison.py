"""Reference values for the site comparison, from scipy (an independent path to csceval's).

Writes site_comparison.json: the pooled site-mean t-test (scipy.stats.ttest_ind), the exact
site permutation test (scipy.stats.permutation_test over every relabelling) and Hedges' g with
the exact J from scipy.special.gamma, for a balanced design where csceval's g (difference of
means of site means over the within-group SD on N - 2 df) equals the textbook Hedges' g.
Run from the repository root:
.venv/bin/python tests/golden/family-goals/reference_site_comparison.py
"""

import json
import math
from pathlib import Path

import numpy as np
import scipy
from scipy import special, stats

HERE = Path(__file__).parent
framework_sites = [[55.0, 61.0, 58.0], [49.0, 63.0, 60.0], [62.0, 57.0, 66.0],
                   [52.0, 50.0, 59.0]]  # fmt: skip
contrast_sites = [[48.0, 51.0, 55.0], [53.0, 47.0, 44.0], [50.0, 58.0, 49.0]]
fw_means = [float(np.mean(s)) for s in framework_sites]
ct_means = [float(np.mean(s)) for s in contrast_sites]
t = stats.ttest_ind(fw_means, ct_means, equal_var=True)
ci = t.confidence_interval(0.95)
perm = stats.permutation_test(
    (fw_means, ct_means),
    lambda a, b, axis: np.mean(a, axis=axis) - np.mean(b, axis=axis),
    permutation_type="independent",
    alternative="two-sided",
    n_resamples=np.inf,
    vectorized=True,
)
fw = np.concatenate(framework_sites)
ct = np.concatenate(contrast_sites)
df = len(fw) + len(ct) - 2
pooled = math.sqrt(((len(fw) - 1) * fw.var(ddof=1) + (len(ct) - 1) * ct.var(ddof=1)) / df)
j = special.gamma(df / 2) / (math.sqrt(df / 2) * special.gamma((df - 1) / 2))
out = {
    "source": f"scipy {scipy.__version__}, numpy {np.__version__}; this script",
    "framework_sites": framework_sites,
    "contrast_sites": contrast_sites,
    "difference": float(np.mean(fw_means) - np.mean(ct_means)),
    "t_test": {"statistic": float(t.statistic), "p_value": float(t.pvalue),
               "df": len(fw_means) + len(ct_means) - 2, "low": float(ci.low),
               "high": float(ci.high)},
    "permutation_p": float(perm.pvalue),
    "hedges_g_balanced": float(j * (fw.mean() - ct.mean()) / pooled),
    "hedges_j": float(j),
}  # fmt: skip
(HERE / "site_comparison.json").write_text(json.dumps(out, indent=1) + "\n")
