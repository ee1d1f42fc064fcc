from django.apps import AppConfig


class ScopingConfig(AppConfig):
    name = "csceval.web.scoping"
    label = "scoping"
    verbose_name = "National scoping"

    def ready(self) -> None:
        from csceval.project.tables import FRAMEWORK_REGISTER
        from csceval.strands.scoping.tables import SCOPING_RESPONSES
        from csceval.web.evaluation.project_io import register_table_source
        from csceval.web.links.purposes import register_purpose
        from csceval.web.scoping.exported import exported_register, exported_responses
        from csceval.web.scoping.survey_views import PURPOSE, start_url

        register_table_source(FRAMEWORK_REGISTER.file, exported_register)
        register_table_source(SCOPING_RESPONSES.file, exported_responses)
        register_purpose(PURPOSE, start_url)
