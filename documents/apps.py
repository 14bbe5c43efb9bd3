from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "documents"
    verbose_name = "打印文书"

    def ready(self):
        # The batch of a village's cards registers itself as a kind of job as its module is imported.
        from . import jobs  # noqa: F401
