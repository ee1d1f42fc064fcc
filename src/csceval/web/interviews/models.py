"""The fieldwork plan, de-identified transcripts, codings, memos and double-coding records.

By pseudonym only: participants are ``R-...``, interviewers ``I-...``; a coder is shown by user
name in the platform and exported as ``C-<user id>``. A :class:`Transcript` holds only redacted
turns (:class:`Turn`) and what each redaction replaced by kind (:class:`Redaction`), never the
original. The pending upload lives in an :class:`UploadDraft` bound to the uploader's session,
deleted on confirm, cancel or expiry. A :class:`Coding` is one code on one segment (turn and
character offsets within its redacted text, plus the text): rows are only ever inserted, so two
coders working at once never overwrite each other. A :class:`Memo` carries a version number for
optimistic concurrency.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from csceval.strands.interviews.tables import PASSES, ROLES, SCOPES
from csceval.web.evaluation.models import Site

USER = settings.AUTH_USER_MODEL


class Interview(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="interviews")
    interview_id = models.CharField(max_length=64, unique=True)
    time_point = models.CharField(max_length=32)
    kind = models.CharField(
        max_length=16, choices=[("interview", "Interview"), ("focus_group", "Focus group")]
    )
    topic_guide_version = models.CharField(max_length=16, default="1.0")
    added_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["site__la_code", "time_point", "interview_id"]

    @property
    def la_code(self) -> str:
        return str(self.site.la_code)


class Participant(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="interviewees")
    pseudonym = models.CharField(max_length=18, unique=True)
    role = models.CharField(max_length=16, choices=[(r, r.replace("_", " ")) for r in ROLES])
    form_version = models.CharField(max_length=16)
    consent_date = models.DateField()
    scope = models.CharField(max_length=24, choices=[(s, s.replace("_", " ")) for s in SCOPES])
    interviews = models.ManyToManyField(Interview, related_name="participants", blank=True)

    class Meta:
        ordering = ["pseudonym"]


class UploadDraft(models.Model):
    """A pending upload under review: the only place the original text is ever held."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    payload = models.JSONField()


class Transcript(models.Model):
    interview = models.OneToOneField(Interview, on_delete=models.PROTECT, related_name="transcript")
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    first_coder = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    second_coder = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    first_done = models.BooleanField(default=False)
    second_done = models.BooleanField(default=False)
    reconciled = models.BooleanField(default=False)

    @property
    def la_code(self) -> str:
        return str(self.interview.site.la_code)

    @property
    def double(self) -> bool:
        return self.second_coder_id is not None


class Turn(models.Model):
    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="turns")
    number = models.PositiveIntegerField()
    speaker = models.CharField(max_length=18)
    start_s = models.FloatField(null=True)
    end_s = models.FloatField(null=True)
    text = models.TextField()

    class Meta:
        ordering = ["transcript", "number"]
        constraints = [
            models.UniqueConstraint(fields=["transcript", "number"], name="interview_turn_unique")
        ]


class Redaction(models.Model):
    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="redactions")
    turn = models.PositiveIntegerField()
    kind = models.CharField(max_length=16)
    tag = models.CharField(max_length=24)
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["transcript", "turn", "kind", "tag"]


class InductiveCode(models.Model):
    """A code added while coding; exported into the project's codebook."""

    code_id = models.CharField(max_length=64, unique=True)
    title = models.CharField(max_length=200)
    definition = models.TextField()
    parent = models.CharField(max_length=64, blank=True)
    added_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)


class Coding(models.Model):
    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="codings")
    coder = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    coding_pass = models.CharField(max_length=12, choices=[(p, p) for p in PASSES])
    turn = models.PositiveIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    code = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["transcript", "turn", "start", "code", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="interview_coding_span"
            )
        ]


class Memo(models.Model):
    """A memo on the transcript (``source``), on one of its codings, or on a code."""

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="memos")
    target_kind = models.CharField(max_length=12)
    target_id = models.CharField(max_length=64)
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["transcript", "target_kind", "target_id", "pk"]


class Decision(models.Model):
    """A reconciler's decision on one turn and code where the two blind coders differed."""

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="decisions")
    turn = models.PositiveIntegerField()
    code = models.CharField(max_length=64)
    keep = models.BooleanField()
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
