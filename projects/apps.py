from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
    verbose_name = "五项工程"

    def ready(self):
        # The projects' checks join the plan's report (plans.checks) and the data-quality audit
        # (workflows.audit), which collect checks as their modules are imported.
        from . import checks  # noqa: F401
