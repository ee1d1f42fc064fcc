"""Family goals: goal records, review ratings, goal concordance, the parent's rating link."""

from django.apps import AppConfig


class FamilyGoalsConfig(AppConfig):
    name = "csceval.web.family_goals"
    label = "family_goals"
    verbose_name = "Family goals"

    def ready(self) -> None:
        from csceval.strands.family_goals.tables import FAMILY_GOALS, GOAL_CONCORDANCE, GOAL_RATINGS
        from csceval.web.evaluation.links import register_site_links
        from csceval.web.evaluation.project_io import register_table_source
        from csceval.web.family_goals.exports import (
            exported_concordance,
            exported_goals,
            exported_ratings,
        )
        from csceval.web.family_goals.parent import PURPOSE, start_url
        from csceval.web.family_goals.services import site_links
        from csceval.web.links.purposes import register_purpose

        register_table_source(FAMILY_GOALS.file, exported_goals)
        register_table_source(GOAL_RATINGS.file, exported_ratings)
        register_table_source(GOAL_CONCORDANCE.file, exported_concordance)
        register_site_links(site_links)
        register_purpose(PURPOSE, start_url)
