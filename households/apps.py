from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "households"
    verbose_name = "建档立卡"

    def ready(self):
        # The registry's data-quality checks and its kinds of jobs register themselves as their
        # modules are imported.
        from . import access, callers, jobs  # noqa: F401
        from .audit import checks  # noqa: F401

        access.declare_role_permissions(access.REGISTRY_PERMISSIONS)
        callers.connect()

