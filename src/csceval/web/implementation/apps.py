from django.apps import AppConfig


class ImplementationConfig(AppConfig):
    name = "csceval.web.implementation"
    label = "implementation"
    verbose_name = "Implementation self-profiles"

    def ready(self) -> None:
        from csceval.strands.implementation.tables import SELF_PROFILES
        from csceval.web.evaluation.links import register_site_links
        from csceval.web.evaluation.project_io import register_table_source
        from csceval.web.implementation.services import exported_profiles, site_links

        register_table_source(SELF_PROFILES.file, exported_profiles)
        register_site_links(site_links)
