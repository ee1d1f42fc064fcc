"""The survey's web data as project files: ``data/survey_responses.csv`` (every submitted
answer, in the strand's long format) and ``data/survey_teams.csv`` (invited staff per team).
Rows are sorted by their random response id, so the file's order says nothing about when
anyone answered. Cells go through the exports' safe_cell (formula injection) in
``merge_csv_rows``."""

from __future__ import annotations

from csceval.strands.culture_survey.tables import SURVEY_RESPONSES, SURVEY_TEAMS
from csceval.web.culture_survey.models import SurveyAnswer, SurveyTeam
from csceval.web.evaluation.project_io import merge_csv_rows


def exported_responses(imported: bytes | None) -> bytes | None:
    rows = [
        {
            "response_id": a.response_id,
            "la_code": a.team.site.la_code,
            "team": a.team.team,
            "time_point": a.team.time_point,
            "item": a.item,
            "value": a.value,
        }
        for a in SurveyAnswer.objects.select_related("team__site").order_by("response_id", "item")
    ]
    return merge_csv_rows(imported, SURVEY_RESPONSES.column_names, SURVEY_RESPONSES.key, rows)


def exported_teams(imported: bytes | None) -> bytes | None:
    rows = [
        {
            "la_code": t.site.la_code,
            "team": t.team,
            "time_point": t.time_point,
            "invited": str(t.invited),
        }
        for t in SurveyTeam.objects.select_related("site")
    ]
    return merge_csv_rows(imported, SURVEY_TEAMS.column_names, SURVEY_TEAMS.key, rows)
