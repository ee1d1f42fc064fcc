"""Team culture and climate survey: anonymous team links and the respondent pages."""

from django.apps import AppConfig


class CultureSurveyConfig(AppConfig):
    name = "csceval.web.culture_survey"
    label = "culture_survey"
    verbose_name = "Team culture survey"

    def ready(self) -> None:
        from django.urls import reverse

        from csceval.strands.culture_survey.tables import SURVEY_RESPONSES, SURVEY_TEAMS
        from csceval.web.culture_survey.exports import exported_responses, exported_teams
        from csceval.web.culture_survey.services import PURPOSE
        from csceval.web.culture_survey.views import site_links
        from csceval.web.evaluation.links import register_site_links
        from csceval.web.evaluation.project_io import register_table_source
        from csceval.web.links.purposes import register_purpose

        register_table_source(SURVEY_RESPONSES.file, exported_responses)
        register_table_source(SURVEY_TEAMS.file, exported_teams)
        register_site_links(site_links)
        register_purpose(PURPOSE, lambda token: reverse("culture_survey:start", args=[token]))
