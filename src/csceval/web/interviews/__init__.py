"""Interviews in the web platform: the fieldwork plan, transcript uploads with a
de-identification review, coding in the browser, memos, blind double coding and reconciliation.

Who may do what (existing verbs; no new one). Transcripts are pseudonymised records of what
staff said, held like case-level data, so they take ``case.view``, whose roles are scoped to an
LA and must use two-factor sign-in: an LA's auditors (its QA officers) see and code their LA's
transcripts; evaluators and the admin every site's. ``case.view`` covers reading, uploading,
coding, memos and reconciling; assigning a share of transcripts to two blind coders needs
``analysis.run`` (the evaluation team). Another LA's objects answer 404.

Every change is audited in its transaction, and every view of a transcript is audited. The app
merges what it holds into the strand's tables on export (:mod:`csceval.web.interviews.exports`),
so the analysis reads web-coded transcripts with no other path.
"""
