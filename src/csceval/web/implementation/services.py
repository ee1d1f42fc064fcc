"""Saving, submitting and reviewing self-profiles; each write audited in its transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from csceval.strands.implementation.tables import SELF_PROFILES
from csceval.web.audit_trail.services import audit_record
from csceval.web.evaluation.models import EvaluationSetup, Site
from csceval.web.evaluation.project_io import merge_csv_rows
from csceval.web.implementation.imported import parse_profiles
from csceval.web.implementation.models import ProfileStatus, SelfProfile, SelfProfileRating
from csceval.web.permissions import Verb, has_verb


class StatusError(Exception):
    """A status change that the profile's current status does not allow."""


def time_points() -> list[dict[str, str]]:
    """The evaluation's time points ({id, label}), in order."""
    setup = EvaluationSetup.current()
    if setup is None:
        return []
    points = setup.settings_json.get("periods", {}).get("time_points", [])
    return [{"id": p["id"], "label": p.get("label") or p["id"]} for p in points]


def _actor(user: Any) -> str:
    return str(user.get_username())


def profile_for(site: Site, time_point: str) -> SelfProfile:
    """The site's profile at the time point (an unsaved draft if none yet)."""
    found = SelfProfile.objects.filter(site=site, time_point=time_point).first()
    return found or SelfProfile(site=site, time_point=time_point)


@transaction.atomic
def save_profile(
    *, actor: Any, profile: SelfProfile, ratings: dict[str, tuple[int | None, str]], submit: bool
) -> SelfProfile:
    """Store the ratings (save and come back later) and, with ``submit``, send for review."""
    if profile.pk is not None:
        profile = SelfProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.status != ProfileStatus.DRAFT:
        raise StatusError("only a draft self-profile can be changed")
    old = profile.contents() if profile.pk else None
    if submit:
        profile.status = ProfileStatus.SUBMITTED
        profile.submitted_at = timezone.now()
    profile.save()
    for element, (rating, evidence) in ratings.items():
        SelfProfileRating.objects.update_or_create(
            profile=profile, element=element, defaults={"rating": rating, "evidence": evidence}
        )
    audit_record(
        actor=_actor(actor),
        action="self_profile.submit" if submit else "self_profile.save",
        object_type="self_profile",
        object_id=f"{profile.la_code}/{profile.time_point}",
        old_values=old,
        new_values={"status": profile.status, "ratings": profile.contents()},
    )
    return profile


@transaction.atomic
def review_profile(*, actor: Any, profile: SelfProfile, accept: bool) -> SelfProfile:
    """Accept a submitted profile (it joins the analysis) or return it to the LA as a draft."""
    profile = SelfProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.status != ProfileStatus.SUBMITTED:
        raise StatusError("only a submitted self-profile can be reviewed")
    old_status = profile.status
    profile.status = ProfileStatus.REVIEWED if accept else ProfileStatus.DRAFT
    profile.reviewed_at = timezone.now() if accept else None
    profile.reviewed_by = actor if accept else None
    profile.save()
    audit_record(
        actor=_actor(actor),
        action="self_profile.review" if accept else "self_profile.return",
        object_type="self_profile",
        object_id=f"{profile.la_code}/{profile.time_point}",
        old_values={"status": old_status},
        new_values={"status": profile.status},
    )
    return profile


def exported_profiles(imported: bytes | None) -> bytes | None:
    """data/self_profiles.csv: imported rows plus the platform's submitted and reviewed ones.

    A submitted (unreviewed) profile is left out where the import has an analysed profile of the
    same pilot and time point: only a reviewed one replaces it (see ``imported.py``).
    """
    kept_imports = {key for key, p in parse_profiles(imported).items() if p.analysed}
    rows = [
        {
            "la_code": r.profile.la_code,
            "time_point": r.profile.time_point,
            "element": r.element,
            "rating": str(r.rating),
            "status": r.profile.status,
            "evidence": r.evidence,
        }
        for r in SelfProfileRating.objects.select_related("profile__site")
        .filter(
            profile__status__in=[ProfileStatus.SUBMITTED, ProfileStatus.REVIEWED],
            rating__isnull=False,
        )
        .order_by("profile__site__la_code", "profile__time_point", "element")
        if r.profile.status == ProfileStatus.REVIEWED
        or (r.profile.la_code, r.profile.time_point) not in kept_imports
    ]
    return merge_csv_rows(imported, SELF_PROFILES.column_names, SELF_PROFILES.key, rows)


def site_links(request: Any, site: Site) -> list[dict[str, str]]:
    """Links to the site's self-profiles on its page (pilots only)."""
    if site.role not in ("pilot", "exited") or not has_verb(
        request.user, Verb.SITE_VIEW, site.la_code
    ):
        return []
    return [
        {
            "text": f"Self-profile at {tp['label']}",
            "href": reverse("implementation:profile", args=[site.la_code, tp["id"]]),
        }
        for tp in time_points()
    ]
