"""Family goals in the web platform: families of the goals sample, their goals, review ratings,
goal concordance and the parent's rating link.

Who may do what (existing verbs; no new one). Goal records are pseudonymised case-level records
with free text about a family, so they take the verbs of case-level data, whose roles are scoped
to an LA and must use two-factor authentication:

- **Reading** the site's family list, a family's goals, ratings and T-scores needs
  ``case.view`` on the LA (the LA's auditors; evaluators and the admin across sites).
- **Recording**: adding a family, setting its goals, rating them at review (the worker's own
  rating, a parent's paper form, a second entry of either for agreement), the goal-concordance
  review and making a parent's rating link need ``case.audit`` on the LA (the LA's
  practitioners and QA officers hold the auditor role; the admin). The platform has no separate
  social-worker role: a worker who records goals is given the auditor role for their LA.
- **The parent's link** needs no account: it opens one family's goals for rating, at one
  review, through the platform's anonymous links (purpose ``goal_rating``, scoped to the LA and
  the family).

Every change is audited in its transaction with old and new values, and every view of a family's
record is audited (``case.view``). Models hold pseudonyms only. The app merges what it holds
into ``data/family_goals.csv`` and ``data/goal_ratings.csv`` on export
(:mod:`csceval.web.family_goals.exports`), so the strand's analysis reads web-entered goals with
no other path.
"""
