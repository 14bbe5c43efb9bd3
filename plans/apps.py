from django.apps import AppConfig


class PlansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "plans"
    verbose_name = "行动计划"

    def ready(self):
        from households.access import declare_role_permissions

        # The plan's data-quality check joins the registry's (households.audit) as it is imported.
        from . import access, audit  # noqa: F401

        declare_role_permissions(access.ROLE_PERMISSIONS)
