from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workflows"
    verbose_name = "识别与退出流程、数据核查"

    def ready(self):
        from households.access import declare_role_permissions
        from households.services import income_follower

        from . import access, services

        declare_role_permissions(access.ROLE_PERMISSIONS)
        # A home visit's income follows a change of the year's income record (one figure).
        income_follower(services.verification_income_follow)
