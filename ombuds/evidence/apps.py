from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "ombuds.evidence"
    label = "evidence"
    verbose_name = "Evidence"
