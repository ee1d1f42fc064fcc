from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "csceval.web.evaluation"
    label = "evaluation"
    verbose_name = "Evaluation"
