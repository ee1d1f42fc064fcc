"""The transcript page and its forms: coding a segment, inductive codes, memos, search, the
blind double coding's "done", the disagreement view with agreement per code, reconciliation.

A segment is chosen without dragging (WCAG 2.5.7): the turn's number and, optionally, the first
and last characters, typed in the form; the page's script only fills the same fields from a
mouse selection. Every view of a transcript is audited.
"""

from __future__ import annotations

import math
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from csceval.errors import InputError, Problem
from csceval.web.interviews import coding, selectors, services
from csceval.web.interviews.forms import CodeForm, MemoForm, SegmentForm
from csceval.web.interviews.models import Memo, Transcript
from csceval.web.interviews.views import problem_list
from csceval.web.jinja2env import govuk_error_list
from csceval.web.permissions import Verb, get_scoped_or_404


def scoped_transcript(request: HttpRequest, pk: int) -> Transcript:
    queryset = Transcript.objects.select_related("interview__site")
    return get_scoped_or_404(
        request.user, Verb.CASE_VIEW, queryset, la_of=lambda t: t.la_code, pk=pk
    )


def _choices() -> list[tuple[str, str]]:
    return [(c.id, c.label) for c in selectors.codes() if c.codable]


def _number(value: float) -> str:
    return "not available" if math.isnan(value) else f"{value:.2f}"


def transcript_page(
    request: HttpRequest, found: Transcript, status: int = 200, **extra: Any
) -> HttpResponse:
    services.record_view(actor=request.user, transcript=found, page="transcript")
    found.refresh_from_db()
    codings = list(selectors.visible_codings(request.user, found))
    by_turn: dict[int, list[Any]] = {}
    for c in codings:
        by_turn.setdefault(c.turn, []).append(c)
    query = request.GET.get("q", "")[:200]
    try:
        which = coding.coder_pass(request.user, found)
    except InputError:
        which = ""
    context = {
        "transcript": found,
        "interview": found.interview,
        "site": found.interview.site,
        "turns": list(found.turns.all()),
        "by_turn": by_turn,
        "codings": codings,
        "memos": list(found.memos.select_related("author")),
        "codes": selectors.codes(),
        "segment_form": extra.pop("segment_form", None) or SegmentForm(code_choices=_choices()),
        "code_form": extra.pop("code_form", None) or CodeForm(),
        "memo_form": extra.pop("memo_form", None) or MemoForm(),
        "query": query,
        "hits": selectors.search(found, query) if query else [],
        "my_pass": which,
        "problem_list": [],
        "saved": request.GET.get("saved", ""),
        "blind": found.double and not (found.first_done and found.second_done),
        **extra,
    }
    return render(request, "interviews/transcript.html", context, status=status)


@require_GET
def transcript(request: HttpRequest, transcript_id: int) -> HttpResponse:
    return transcript_page(request, scoped_transcript(request, transcript_id))


def _saved(found: Transcript, what: str, anchor: str = "") -> HttpResponse:
    url = reverse("interviews:transcript", args=[found.pk])
    return redirect(f"{url}?saved={what}{anchor}")


@require_POST
def segment(request: HttpRequest, transcript_id: int) -> HttpResponse:
    found = scoped_transcript(request, transcript_id)
    form = SegmentForm(request.POST, code_choices=_choices())
    if not form.is_valid():
        return transcript_page(
            request, found, 400, segment_form=form, problem_list=govuk_error_list(form)
        )
    d = form.cleaned_data
    try:
        start = None if d["start"] is None else d["start"] - 1  # the form counts from 1
        coding.coding_add(
            actor=request.user,
            transcript=found,
            turn=d["turn"],
            start=start,
            end=d["end"],
            codes=d["codes"],
        )
    except InputError as exc:
        return transcript_page(
            request,
            found,
            400,
            segment_form=form,
            problem_list=problem_list(exc.problems, "#id_turn"),
        )
    return _saved(found, "coding", f"#turn-{d['turn']}")


@require_POST
def code_new(request: HttpRequest, transcript_id: int) -> HttpResponse:
    found = scoped_transcript(request, transcript_id)
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            coding.code_add(actor=request.user, **form.cleaned_data)
        except InputError as exc:
            return transcript_page(
                request,
                found,
                400,
                code_form=form,
                problem_list=problem_list(exc.problems, "#id_code_id"),
            )
        return _saved(found, "code")
    return transcript_page(request, found, 400, code_form=form, problem_list=govuk_error_list(form))


@require_POST
def memo_new(request: HttpRequest, transcript_id: int) -> HttpResponse:
    found = scoped_transcript(request, transcript_id)
    form = MemoForm(request.POST)
    if form.is_valid():
        kind, _, target = form.cleaned_data["target"].partition(":")
        try:
            coding.memo_save(
                actor=request.user,
                transcript=found,
                target_kind=kind,
                target_id=target or str(found.pk),
                text=form.cleaned_data["text"],
            )
        except InputError as exc:
            return transcript_page(
                request,
                found,
                400,
                memo_form=form,
                problem_list=problem_list(exc.problems, "#id_target"),
            )
        return _saved(found, "memo", "#memos")
    return transcript_page(request, found, 400, memo_form=form, problem_list=govuk_error_list(form))


@require_http_methods(["GET", "POST"])
def memo_edit(request: HttpRequest, memo_id: int) -> HttpResponse:
    """Change a memo; a save over someone else's newer version is refused (409), not lost."""
    memo = get_scoped_or_404(
        request.user,
        Verb.CASE_VIEW,
        Memo.objects.select_related("transcript__interview__site"),
        la_of=lambda m: m.transcript.la_code,
        pk=memo_id,
    )
    found = memo.transcript
    form = MemoForm(
        initial={
            "target": f"{memo.target_kind}:{memo.target_id}",
            "text": memo.text,
            "version": memo.version,
        }
    )
    conflict, status = False, 200
    problems: list[dict[str, str]] = []
    if request.method == "POST":
        form = MemoForm(request.POST)
        if form.is_valid():
            try:
                coding.memo_save(
                    actor=request.user,
                    transcript=found,
                    target_kind=memo.target_kind,
                    target_id=memo.target_id,
                    text=form.cleaned_data["text"],
                    memo=memo,
                    version=form.cleaned_data["version"],
                )
            except InputError as exc:
                memo.refresh_from_db()
                conflict, status = True, 409
                problems = problem_list(exc.problems, "#id_text")
            else:
                return _saved(found, "memo", "#memos")
        else:
            status, problems = 400, govuk_error_list(form)
    else:
        services.record_view(actor=request.user, transcript=found, page="memo")
    context = {
        "memo": memo,
        "transcript": found,
        "form": form,
        "conflict": conflict,
        "problem_list": problems,
    }
    return render(request, "interviews/memo.html", context, status=status)


@require_POST
def done(request: HttpRequest, transcript_id: int) -> HttpResponse:
    found = scoped_transcript(request, transcript_id)
    try:
        coding.mark_done(actor=request.user, transcript=found)
    except InputError as exc:
        return transcript_page(request, found, 409, problem_list=problem_list(exc.problems))
    return _saved(found, "done")


@require_http_methods(["GET", "POST"])
def reconcile(request: HttpRequest, transcript_id: int) -> HttpResponse:
    """Where the blind coders differ, agreement per code, and the decision on each difference."""
    found = scoped_transcript(request, transcript_id)
    if not (found.double and found.first_done and found.second_done):
        raise Http404("Both coders have not finished yet")
    stats = selectors.transcript_agreement(found)
    rows = selectors.disagreements(found).to_dict("records")
    problems: list[Problem] = []
    if request.method == "POST":
        keep: dict[tuple[int, str], bool] = {}
        for r in rows:
            choice = request.POST.get(f"keep_{r['turn']}_{r['code']}", "")
            if choice in ("keep", "drop"):
                keep[(int(r["turn"]), str(r["code"]))] = choice == "keep"
        try:
            coding.reconcile(actor=request.user, transcript=found, keep=keep)
        except InputError as exc:
            problems = exc.problems
        else:
            return _saved(found, "reconciled")
    else:
        services.record_view(actor=request.user, transcript=found, page="reconcile")
    labels = {c.id: c.label for c in selectors.codes()}
    segments = {(c.turn, c.code, c.coding_pass): c for c in found.codings.all()}
    context = {
        "transcript": found,
        "interview": found.interview,
        "labels": labels,
        "rows": [
            {
                **r,
                "turn_text": r["text"],
                "segment": segments.get(
                    (int(r["turn"]), r["code"], "first" if r["first"] else "second")
                ),
            }
            for r in rows
        ],
        "stats": [
            (
                labels.get(a.code, a.code),
                a,
                _number(a.agreement),
                _number(a.kappa),
                _number(a.alpha),
            )
            for a in (*stats.codes, stats.pooled)
        ],
        "problem_list": problem_list(problems, "#decisions"),
        "posted": request.POST,
    }
    return render(request, "interviews/reconcile.html", context, status=400 if problems else 200)
