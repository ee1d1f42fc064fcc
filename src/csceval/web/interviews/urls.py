"""Interview routes (every pattern named: the access-matrix test lists them)."""

from __future__ import annotations

from django.urls import path

from csceval.web.interviews import coding_views, views

app_name = "interviews"

urlpatterns = [
    path("", views.index, name="index"),
    path("interview/<int:interview_id>/upload/", views.upload, name="upload"),
    path("interview/<int:interview_id>/review/", views.review, name="review"),
    path("transcript/<int:transcript_id>/", coding_views.transcript, name="transcript"),
    path("transcript/<int:transcript_id>/code/", coding_views.segment, name="segment"),
    path("transcript/<int:transcript_id>/new-code/", coding_views.code_new, name="code_new"),
    path("transcript/<int:transcript_id>/memo/", coding_views.memo_new, name="memo_new"),
    path("transcript/<int:transcript_id>/done/", coding_views.done, name="done"),
    path("transcript/<int:transcript_id>/reconcile/", coding_views.reconcile, name="reconcile"),
    path("memo/<int:memo_id>/", coding_views.memo_edit, name="memo_edit"),
    path("<str:la_code>/", views.site, name="site"),
    path("<str:la_code>/interview/", views.interview_add, name="interview_add"),
    path("<str:la_code>/participant/", views.participant_add, name="participant_add"),
    path("<str:la_code>/double-coding/", views.assign, name="assign"),
]
