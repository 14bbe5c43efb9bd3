from django.apps import AppConfig

HELPERS = ["helper", "helperassignment", "helpervisit"]
# Helpers (帮扶责任人): a county's clerks record them, their assignments and visits (a visit may be
# deleted, a helper and an assignment are kept: an assignment is ended); the city reviewer and the
# departments read them (the departments those of the households they serve, phones masked).
HELPER_PERMISSIONS = {
    "county_clerk": [*(f"households.{a}_{m}" for m in HELPERS for a in ("view", "add", "change")),
                     "households.delete_helpervisit"],
    "city_reviewer": [f"households.view_{m}" for m in HELPERS],
    "channel_department": [f"households.view_{m}" for m in HELPERS],
}


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
        access.declare_role_permissions(HELPER_PERMISSIONS)
        callers.connect()

