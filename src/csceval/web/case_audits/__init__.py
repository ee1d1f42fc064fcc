"""Case-file audits in the web platform: draw a sample, rate case files, second-rate, reconcile.

Who may do what (the lead adds these rules to the access matrix in docs/permissions.md):

- **Drawing a sample** needs ``return.edit`` on the site's LA: the LA coordinator of that LA, or
  the evaluation admin. The LA holds its case list and its pseudonym key, so the LA draws its own
  sample; evaluators and auditors do not (an auditor choosing their own sample would bias it).
  The key is typed on every upload, used in memory for that request and never stored, logged or
  shown again; the case ids of the upload never reach the database (only pseudonyms do), and the
  upload is held in memory only (2 MB at most; never spooled to a temporary file). A list
  carrying direct identifiers is refused whole with the core's coded problems.
- **The task list, the sample download and the comparison of two ratings** need ``case.view`` on
  the LA (the LA's auditors; evaluators and the admin across sites).
- **Rating a case, reconciling, and replacing a case file that cannot be audited** (by the next
  reserve case of its stratum, :func:`csceval.strands.quality_of_recording.sampling.replace_case`;
  only before
  anyone has started rating it) need ``case.audit`` on the LA (the LA's auditors, the admin).

Ratings: the first auditor to save a rating of a case is its first rater. A share of the sample
(``second_share``, chosen on the drawing page, default 20%) is flagged for a blind second rating,
reproducibly: the sampled pseudonyms sorted, permuted with ``numpy.random.default_rng([seed,
2])``, and the first ``ceil(share * n)`` taken (:func:`services.second_rating_flags`). A second
rater must be another auditor and never sees the first rating (the comparison page opens only
when both ratings are completed). Items on which the two completed ratings differ are listed for
reconciliation; the agreed answer per item and who agreed it are recorded and audited.

Every view of a case page is audited (``case.view``); every change is audited in its
transaction with old and new values. Models hold pseudonyms only, never an LA case id.
"""
