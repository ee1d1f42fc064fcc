"""The CIN census schema as csceval flattens it: the tables, their columns and the XML blocks.

Schema changes handled (2017-2026 schemas): ``GenderCurrent`` (1/2/0/9, to 2024) became ``Sex``
(M/F/U, from 2025) and both are read into a canonical ``Sex`` (1 -> M, 2 -> F, 0 and 9 -> U; the
code as given is in ``SexRaw``); ``CINPlanDates`` (from the 2022 schema); the 2026/27
``PreProceedingsandFGDM`` block.
"""

from __future__ import annotations

TABLES: dict[str, tuple[str, ...]] = {
    "children": (
        "LAchildID",
        "UPN",
        "FormerUPN",
        "UPNunknown",
        "PersonBirthDate",
        "ExpectedPersonBirthDate",
        "Sex",
        "SexRaw",
        "PersonDeathDate",
        "Ethnicity",
    ),
    "disabilities": ("LAchildID", "Disability"),
    "cin_details": (
        "LAchildID",
        "CINdetailsID",
        "CINreferralDate",
        "ReferralSource",
        "PrimaryNeedCode",
        "CINclosureDate",
        "ReasonForClosure",
        "DateOfInitialCPC",
        "ReferralNFA",
    ),
    "assessments": (
        "LAchildID",
        "CINdetailsID",
        "AssessmentID",
        "AssessmentActualStartDate",
        "AssessmentInternalReviewDate",
        "AssessmentAuthorisationDate",
    ),
    "assessment_factors": ("LAchildID", "CINdetailsID", "AssessmentID", "AssessmentFactors"),
    "cin_plans": ("LAchildID", "CINdetailsID", "CINPlanStartDate", "CINPlanEndDate"),
    "section47": (
        "LAchildID",
        "CINdetailsID",
        "S47ActualStartDate",
        "InitialCPCtarget",
        "DateOfInitialCPC",
        "ICPCnotRequired",
    ),
    "cpp": (
        "LAchildID",
        "CINdetailsID",
        "CPPID",
        "CPPstartDate",
        "CPPendDate",
        "InitialCategoryOfAbuse",
        "LatestCategoryOfAbuse",
        "NumberOfPreviousCPP",
    ),
    "cpp_reviews": ("LAchildID", "CINdetailsID", "CPPID", "CPPreviewDate"),
    "pre_proceedings": (
        "LAchildID",
        "CINdetailsID",
        "PPStartDate",
        "LBPSentDate",
        "FGDMMeetingOffer",
        "FGDMMeetingFac",
        "InitialPPMeetingDate",
        "ReviewMeetingsCount",
        "StepDecisionDate",
        "PPOutcome",
        "CourtAppDate",
        "LetterInitCPDate",
    ),
}
"""The flattened tables and their columns."""

DATE_FIELDS = frozenset(
    c for cols in TABLES.values() for c in cols if "Date" in c or c == "InitialCPCtarget"
)
FLAG_FIELDS = frozenset({"ReferralNFA", "ICPCnotRequired"})
"""0/1 fields; ``true``/``false`` (any case) is read with a warning."""
_FLAGS = {"0": False, "1": True, "false": False, "true": True}
SEX_CANONICAL = {"1": "M", "2": "F", "0": "U", "9": "U", "M": "M", "F": "F", "U": "U"}


_FIELDS = {t: frozenset(cols) for t, cols in TABLES.items()}
_BLOCKS = {
    "Assessments": "assessments",
    "CINPlanDates": "cin_plans",
    "Section47": "section47",
    "ChildProtectionPlans": "cpp",
    "PreProceedingsandFGDM": "pre_proceedings",
}
