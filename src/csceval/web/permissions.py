"""Who may do what, where: roles grant verbs, memberships scope them to LAs.

Every view asks :func:`authorize` (or :func:`scoped_la_codes` for lists) before it reads or
writes anything. The rules are server-side only; hiding a button is cosmetic.

Methodological choices (security checklist SEC-A1..A8):

- A verb is granted by an unexpired membership whose role carries it. The membership's LA is the
  scope: a 3-digit LA code, or ``*`` for every site of the evaluation. ``*`` must be granted
  explicitly and only to cross-LA roles (a database constraint forbids it for LA coordinators and
  auditors); there is no "no LA means all" default.
- Superusers (the evaluation admin made by ``csceval createadmin``) hold every verb on every LA;
  the audit trail records what they do like anyone else's actions.
- Objects of another LA are reported as missing (404), not forbidden, so their existence does not
  leak; a verb the user lacks on their own LA is forbidden (403).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from csceval.output_scopes import FileScope, Scope
from csceval.web.accounts.models import ALL_LAS, Role
from csceval.web.accounts.selectors import memberships_for


class Verb(StrEnum):
    """Things a user can do. The permissions matrix in docs/permissions.md lists them by role."""

    SITE_VIEW = "site.view"
    RETURN_EDIT = "return.edit"
    RETURN_REVIEW = "return.review"
    CASE_VIEW = "case.view"
    CASE_AUDIT = "case.audit"
    EXPORT_AGGREGATE = "export.aggregate"
    EXPORT_ROWLEVEL = "export.rowlevel"
    AUDIT_READ = "audit.read"
    EVALUATION_CONFIGURE = "evaluation.configure"
    MEMBERSHIP_MANAGE = "membership.manage"
    ANALYSIS_RUN = "analysis.run"
    REPORT_VIEW = "report.view"
    CROSS_LA_VIEW = "cross_la.view"


VERB_MEANINGS: dict[Verb, str] = {
    Verb.SITE_VIEW: "See a site's page, its data returns and their review history.",
    Verb.RETURN_EDIT: "Download the LA's return template, upload, fix and submit its returns.",
    Verb.RETURN_REVIEW: "Review returns: mark them as having issues, approve, lock (unlocking "
    "a locked return needs `evaluation.configure`).",
    Verb.CASE_VIEW: "See case-level records (sampled cases and their audits, pseudonymised).",
    Verb.CASE_AUDIT: "Rate sampled case files with an audit instrument.",
    Verb.EXPORT_AGGREGATE: "Export disclosure-controlled tables.",
    Verb.EXPORT_ROWLEVEL: "Export row-level data (with a stated purpose; audited), and download "
    "a run's row-level files (e.g. the costs ledger workbook) on every site (`*`).",
    Verb.AUDIT_READ: "Read and export the audit trail (reading it is audited).",
    Verb.EVALUATION_CONFIGURE: "Set up the evaluation and its sites; import a project; unlock "
    "a locked return (with a reason: it reopens data a run may have used); on every site (`*`), "
    "see anyone's web export and download it (with its export verb on the LAs it covers).",
    Verb.MEMBERSHIP_MANAGE: "Grant and revoke memberships.",
    Verb.ANALYSIS_RUN: "Run the analysis and publish a report.",
    Verb.REPORT_VIEW: "Read published (disclosure-controlled) reports, and a run's files "
    "about the user's own LAs.",
    Verb.CROSS_LA_VIEW: "See figures that compare several LAs side by side: a run's all-LA "
    "files (by-site tables, the report workbook, provenance); needs every site (`*`).",
}

ROLE_VERBS: dict[str, frozenset[Verb]] = {
    # Keys are Role values (Role members are str at run time; mypy sees Django's tuples).
    "evaluation_admin": frozenset(Verb),
    "evaluator": frozenset(
        {
            Verb.SITE_VIEW,
            Verb.RETURN_REVIEW,
            Verb.CASE_VIEW,
            Verb.EXPORT_AGGREGATE,
            Verb.EXPORT_ROWLEVEL,
            Verb.AUDIT_READ,
            Verb.ANALYSIS_RUN,
            Verb.REPORT_VIEW,
            Verb.CROSS_LA_VIEW,
        }
    ),
    "la_coordinator": frozenset({Verb.SITE_VIEW, Verb.RETURN_EDIT, Verb.REPORT_VIEW}),
    "auditor": frozenset({Verb.SITE_VIEW, Verb.CASE_VIEW, Verb.CASE_AUDIT}),
    "viewer": frozenset({Verb.SITE_VIEW, Verb.REPORT_VIEW}),
}

MFA_REQUIRED_ROLES: frozenset[str] = frozenset(
    role
    for role, verbs in ROLE_VERBS.items()
    if verbs & {Verb.CASE_VIEW, Verb.EXPORT_ROWLEVEL, Verb.MEMBERSHIP_MANAGE}
)
"""Roles that must use TOTP two-factor authentication: they see case-level data, export rows or
manage access (SEC-B1)."""


def _grants(user: Any) -> list[tuple[str, frozenset[Verb]]]:
    """(LA code or ``*``, verbs) for each of the user's unexpired memberships.

    Read once per request: Django builds a new user object for every request, so caching on it
    keeps "removal takes effect on the next request" while a page asks many questions of it.
    """
    cached: list[tuple[str, frozenset[Verb]]] | None = getattr(user, "_csceval_grants", None)
    if cached is None:
        cached = [(m.la_code, ROLE_VERBS[m.role]) for m in memberships_for(user)]
        user._csceval_grants = cached
    return cached


def has_verb(user: Any, verb: Verb, la_code: str | None = None) -> bool:
    """Whether ``user`` may do ``verb`` on LA ``la_code`` (None: on at least one LA)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(
        verb in verbs and (la_code is None or scope in (ALL_LAS, la_code))
        for scope, verbs in _grants(user)
    )


def scoped_la_codes(user: Any, verb: Verb, all_codes: Iterable[str]) -> list[str]:
    """The LA codes among ``all_codes`` on which ``user`` may do ``verb``, in order."""
    codes = list(all_codes)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return codes
    scopes = {scope for scope, verbs in _grants(user) if verb in verbs}
    return codes if ALL_LAS in scopes else [c for c in codes if c in scopes]


def authorize(user: Any, verb: Verb, la_code: str | None = None) -> None:
    """Raise unless ``user`` may do ``verb`` on ``la_code``.

    404 when the user has no membership at all on that LA (the object's existence must not leak),
    403 when they can see the LA but lack the verb.
    """
    if has_verb(user, verb, la_code):
        return
    if la_code not in (None, ALL_LAS) and not has_verb(user, Verb.SITE_VIEW, la_code):
        raise Http404("No such page")
    raise PermissionDenied(f"Not allowed: {verb}")


RUN_FILE_RULES: dict[Scope, tuple[Verb, bool]] = {
    Scope.PUBLISHED: (Verb.REPORT_VIEW, False),
    Scope.ONE_LA: (Verb.REPORT_VIEW, False),
    Scope.ALL_LAS: (Verb.CROSS_LA_VIEW, True),
    Scope.ROW_LEVEL: (Verb.EXPORT_ROWLEVEL, True),
}
"""For each scope of a run's file (:mod:`csceval.output_scopes`): the verb it needs and whether
on every site (``*``); a ``one_la`` file needs the verb on its LA."""


def may_read_run_file(user: Any, file: FileScope) -> bool:
    """Whether ``user`` may download a run's file of scope ``file`` (see :data:`RUN_FILE_RULES`).
    Callers answer a refusal with 404, like a missing file, so no file's existence leaks."""
    verb, everywhere = RUN_FILE_RULES[file.scope]
    if file.scope == Scope.ONE_LA:
        return has_verb(user, verb, file.la_code)
    return has_verb(user, verb, ALL_LAS if everywhere else None)


def readable_run_files(user: Any, files: dict[str, FileScope | None]) -> list[str]:
    """The names among a run's ``files`` (name -> scope) that ``user`` may download, sorted."""
    return sorted(n for n, s in files.items() if s is not None and may_read_run_file(user, s))


def verbs_for(user: Any) -> set[Verb]:
    """Every verb the user holds on at least one LA (for navigation links)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    if user.is_superuser:
        return set(Verb)
    return {verb for _, verbs in _grants(user) for verb in verbs}


def permissions_matrix_markdown() -> str:
    """docs/permissions.md: the role x verb matrix, generated from :data:`ROLE_VERBS`."""
    roles = [Role(value) for value in ROLE_VERBS]
    lines = [
        "# Permissions: roles and what they may do",
        "",
        "Each membership gives a user one role in one LA (or in every site, `*`, for cross-LA",
        "roles) until it expires. A user with no unexpired membership sees nothing. Objects of an",
        "LA outside the user's memberships are answered with 404; a verb the role lacks, with 403.",
        f"Two-factor authentication (TOTP) is required for: "
        f"{', '.join(r.label for r in roles if r in MFA_REQUIRED_ROLES)}.",
        "",
        "| verb | meaning | " + " | ".join(r.label for r in roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for verb in Verb:
        marks = " | ".join("yes" if verb in ROLE_VERBS[r] else "" for r in roles)
        lines.append(f"| `{verb}` | {VERB_MEANINGS[verb]} | {marks} |")
    return "\n".join([*lines, *_export_lines(), *_run_file_lines()]) + "\n"


def _export_lines() -> list[str]:
    """The web-export section of docs/permissions.md (rules in csceval.web.exports.jobs)."""
    return [
        "",
        "## Exports made on the web",
        "",
        "An export asked for on the export page (`/exports/<dataset>/`, needing the dataset's",
        "verb) is made by the background worker as the person who asked. Its progress page",
        "(`/exports/jobs/<id>/`) and its file (`/exports/jobs/<id>/download/`) are answered only",
        "to that person, or to a user with `evaluation.configure` on every site (`*`); anyone",
        "else gets 404. The download checks again, at download time, that the user holds the",
        "dataset's verb (`export.aggregate` or `export.rowlevel`) on every LA the file covers,",
        "and is audited (`export.download`).",
    ]


def _run_file_lines() -> list[str]:
    """The run-file section of docs/permissions.md, from :data:`RUN_FILE_RULES`."""
    from csceval.output_scopes import CORE_RULES
    from csceval.registry import registered_strands

    patterns: dict[Scope, list[str]] = {scope: [] for scope in Scope}
    for rules in (CORE_RULES, *(s.output_scopes for s in registered_strands())):
        for pattern, scope in rules.items():
            patterns[scope].append(f"`{pattern}`")
    lines = [
        "",
        "## Files of an analysis run",
        "",
        "Every file a run writes has a scope, recorded in the run's `manifest.json` (rules in",
        "`csceval.output_scopes` and each strand's `output_scopes`; the most restrictive matching",
        "rule wins). The platform serves a file only to a user whose verbs cover its scope, and",
        "answers everyone else, and any file without a scope, with 404. Every download is audited.",
        "",
        "| scope | who may download | files |",
        "|---|---|---|",
    ]
    for scope, (verb, everywhere) in RUN_FILE_RULES.items():
        where = "on every site (`*`)" if everywhere else "on at least one LA"
        if scope == Scope.ONE_LA:
            where = "on the file's LA"
        lines.append(f"| `{scope}` | `{verb}` {where} | {', '.join(patterns[scope])} |")
    return lines


def get_scoped_or_404(
    user: Any, verb: Verb, queryset: Any, *, la_of: Any = None, **lookup: Any
) -> Any:
    """The object matching ``lookup`` if ``user`` may do ``verb`` on its LA.

    ``la_of(obj)`` gives the object's LA code (default: ``obj.la_code``). An object outside the
    user's LAs is answered exactly like a missing one (404); a missing verb on a visible LA is 403.
    """
    from django.shortcuts import get_object_or_404

    obj = get_object_or_404(queryset, **lookup)
    la_code = la_of(obj) if la_of is not None else obj.la_code
    authorize(user, verb, la_code)
    return obj
