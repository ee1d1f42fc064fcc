from __future__ import annotations

from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "csceval.web.returns"
    label = "returns"
    verbose_name = "Pilot data returns"

    def ready(self) -> None:
        from csceval.strands.costs.tables import COST_LEDGER
        from csceval.web.evaluation.project_io import (
            register_indicator_source,
            register_table_source,
        )
        from csceval.web.exports.registry import register_dataset
        from csceval.web.returns import datasets, services

        register_indicator_source(services.approved_values)
        register_table_source(COST_LEDGER.file, services.exported_cost_ledger)
        for dataset in datasets.DATASETS:
            register_dataset(dataset)
