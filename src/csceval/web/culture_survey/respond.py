"""The respondent's pages behind a team's anonymous link: start, one question per page, save
and come back later (resume code), check answers, confirmation.

Every view is a ``link_view`` (no sign-in, CSRF on, throttled, refusal pages for closed links).
The only cookie besides CSRF's is the draft's browser key, limited to this link's pages.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from csceval.strands.culture_survey.instrument import Instrument, Question
from csceval.web.culture_survey import pages, services
from csceval.web.culture_survey.models import SurveyDraft
from csceval.web.links import throttle
from csceval.web.links.models import AnonymousLink
from csceval.web.links.views import link_view

PURPOSE = services.PURPOSE
COOKIE = "csceval_survey"
MAX_TEXT = 2000
BANNER = (
    "This is a new service. Your answers are anonymous: nothing about you or your device is kept."
)


def _url(page: str, token: str, **kwargs: str) -> str:
    return reverse(f"culture_survey:{page}", kwargs={"token": token, **kwargs})


def _draft(request: HttpRequest, link: AnonymousLink) -> SurveyDraft | None:
    return services.draft_for(link, request.COOKIES.get(COOKIE))


def _keep(response: HttpResponse, token: str, browser_key: str) -> HttpResponse:
    response.set_cookie(
        COOKIE,
        browser_key,
        path=_url("start", token),
        httponly=True,
        samesite="Lax",
        secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
    )
    return response


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> Any:
    instrument = context.get("instrument") or pages.current_instrument()
    return render(
        request,
        f"culture_survey/{template}",
        {"respondentServiceName": instrument.title, "respondentBanner": BANNER, **context},
        status=status,
    )


def _next_page(token: str, instrument: Instrument, answers: dict[str, Any]) -> str:
    missing = pages.first_unanswered(instrument, answers)
    return _url("question", token, name=missing.name) if missing else _url("check", token)


@link_view(PURPOSE)
@require_GET
def start(request: HttpRequest, link: AnonymousLink, token: str) -> HttpResponse:
    instrument = pages.current_instrument()
    context = {
        "instrument": instrument,
        "notes": pages.notes(instrument),
        "count": len(pages.asked_questions(instrument, {})),
        "draft": _draft(request, link),
        "token": token,
    }
    return _page(request, "start.html", context)


@link_view(PURPOSE)
@require_POST
def begin(request: HttpRequest, link: AnonymousLink, token: str) -> HttpResponse:
    draft = _draft(request, link)
    instrument = pages.current_instrument()
    if draft is not None:
        return redirect(_next_page(token, instrument, draft.answers))
    draft, browser_key = services.draft_start(link)
    return _keep(redirect(_next_page(token, instrument, {})), token, browser_key)


def _read_answer(request: HttpRequest, instrument: Instrument, q: Question) -> Any:
    """The posted answer, or raise SurveyInputError (CSC-E3441)."""
    if q.type == "select_multiple":
        names = {c.name for c in instrument.choices[q.list_name]}
        value: Any = [v for v in request.POST.getlist("answer") if v]
        ok = set(value) <= names
    elif q.type == "select_one":
        value = request.POST.get("answer", "")
        ok = value == "" or value in {c.name for c in instrument.choices[q.list_name]}
    else:
        value = request.POST.get("answer", "").strip()
        ok = len(value) <= MAX_TEXT
        if value and q.type in ("integer", "decimal"):
            try:
                number = int(value) if q.type == "integer" else float(value)
                value = str(number)
            except ValueError:
                ok = False
    if not ok:
        raise services.SurveyInputError("CSC-E3441", _wrong(q))
    if q.required and value in ("", []):
        raise services.SurveyInputError("CSC-E3441", _missing(q))
    return value


def _missing(q: Question) -> str:
    if q.type == "select_multiple":
        return "Select at least one answer"
    return "Select an answer" if q.type == "select_one" else "Enter an answer"


def _wrong(q: Question) -> str:
    if q.type == "integer":
        return "Enter a whole number, like 3"
    if q.type == "decimal":
        return "Enter a number, like 2.5"
    if q.type == "text":
        return f"Your answer must be {MAX_TEXT} characters or fewer"
    return "Select one of the answers shown"


@link_view(PURPOSE)
@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, link: AnonymousLink, token: str, name: str) -> HttpResponse:
    draft = _draft(request, link)
    if draft is None:
        return redirect(_url("start", token))
    instrument = pages.current_instrument()
    asked = {q.name: q for q in pages.asked_questions(instrument, draft.answers)}
    if name not in asked:
        return redirect(_next_page(token, instrument, draft.answers))
    q = asked[name]
    error = ""
    value: Any = draft.answers.get(name, [] if q.type == "select_multiple" else "")
    if request.method == "POST":
        try:
            value = _read_answer(request, instrument, q)
        except services.SurveyInputError as problem:
            error = f"{problem.message} ({problem.code})"
            value = request.POST.getlist("answer") if q.type == "select_multiple" else ""
        else:
            services.draft_answer(draft, name, value)
            if "save" in request.POST:
                code = services.resume_code_issue(draft)
                context = {"code": code, "token": token, "instrument": instrument}
                return _page(request, "saved.html", context)
            if request.GET.get("from") == "check":
                return redirect(_url("check", token))
            _before, after = pages.neighbours(instrument, draft.answers, name)
            return redirect(
                _url("question", token, name=after.name) if after else _url("check", token)
            )
    before, _after = pages.neighbours(instrument, draft.answers, name)
    names = list(asked)
    context = {
        "instrument": instrument,
        "q": q,
        "choices": instrument.choices.get(q.list_name, ()),
        "value": value,
        "error": error,
        "token": token,
        "number": names.index(name) + 1,
        "total": len(names),
        "back": _url("question", token, name=before.name) if before else _url("start", token),
        "from_check": request.GET.get("from") == "check",
    }
    return _page(request, "question.html", context, status=400 if error else 200)


@link_view(PURPOSE)
@require_http_methods(["GET", "POST"])
def resume(request: HttpRequest, link: AnonymousLink, token: str) -> HttpResponse:
    error = ""
    if request.method == "POST":
        found = services.draft_resume(link, request.POST.get("code", ""))
        if found is not None:
            draft, browser_key = found
            target = _next_page(token, pages.current_instrument(), draft.answers)
            return _keep(redirect(target), token, browser_key)
        throttle.count_failure(request)
        error = "Enter the resume code exactly as it was shown to you (CSC-E3442)"
    context = {"error": error, "token": token}
    return _page(request, "resume.html", context, status=400 if error else 200)


@link_view(PURPOSE)
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, link: AnonymousLink, token: str) -> HttpResponse:
    draft = _draft(request, link)
    if draft is None:
        return redirect(_url("start", token))
    instrument = pages.current_instrument()
    asked = pages.asked_questions(instrument, draft.answers)
    missing = [q for q in asked if q.required and q.name not in draft.answers]
    if request.method == "POST":
        if missing:
            return redirect(_url("question", token, name=missing[0].name))
        services.response_submit(link, draft, instrument)
        response = redirect(_url("done", token))
        response.delete_cookie(COOKIE, path=_url("start", token), samesite="Lax")
        return response
    rows = [
        {
            "q": q,
            "answer": pages.choice_label(instrument, q, draft.answers[q.name])
            if q.name in draft.answers
            else "",
            "href": _url("question", token, name=q.name) + "?from=check",
        }
        for q in asked
    ]
    back = _url("question", token, name=asked[-1].name) if asked else _url("start", token)
    context = {"instrument": instrument, "rows": rows, "token": token, "back": back}
    return _page(request, "check.html", context)


@link_view(PURPOSE, allow_used=True)
@require_GET
def done(request: HttpRequest, link: AnonymousLink, token: str) -> HttpResponse:
    return _page(request, "done.html", {"token": token})
