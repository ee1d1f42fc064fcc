"""Case-file audits: samples, ratings, reconciliation."""

from django.apps import AppConfig


class CaseAuditsConfig(AppConfig):
    name = "csceval.web.case_audits"
    label = "case_audits"
    verbose_name = "Case-file audits"

    def ready(self) -> None:
        from csceval.strands.quality_of_recording.tables import CASE_AUDITS, CASE_SAMPLES
        from csceval.web.case_audits.services import exported_audits, exported_samples, site_links
        from csceval.web.evaluation.links import register_site_links
        from csceval.web.evaluation.project_io import register_table_source

        register_table_source(CASE_SAMPLES.file, exported_samples)
        register_table_source(CASE_AUDITS.file, exported_audits)
        register_site_links(site_links)
