"""Interviews: transcripts with de-identification review, coding, blind double coding."""

from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "csceval.web.interviews"
    label = "interviews_web"
    verbose_name = "Interviews"

    def ready(self) -> None:
        from csceval.web.evaluation.links import register_site_links
        from csceval.web.evaluation.project_io import register_table_source
        from csceval.web.interviews.exports import TABLE_SOURCES
        from csceval.web.interviews.services import site_links

        for path, source in TABLE_SOURCES.items():
            register_table_source(path, source)
        register_site_links(site_links)
