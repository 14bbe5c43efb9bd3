from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
    verbose_name = "五项工程"

    def ready(self):
        from households.access import declare_role_permissions

        # The projects' checks join the plan's report (plans.checks) and the data-quality audit
        # (households.audit), which collect checks as their modules are imported.
        from . import access, checks  # noqa: F401

        declare_role_permissions(access.ROLE_PERMISSIONS)
