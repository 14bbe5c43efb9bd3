from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workflows"
    verbose_name = "识别与退出流程、数据核查"

    def ready(self):
        from households.access import declare_role_permissions
        from households.services import income_follower, return_follower

        from . import access, risk_jobs, risk_services, services  # noqa: F401  (risk_jobs registers its kind)

        declare_role_permissions(access.ROLE_PERMISSIONS)
        # A home visit's income follows a change of the year's income record (one figure).
        income_follower(services.verification_income_follow)
        # A return links to the warning of a return it came after (docs/return-risks.md).
        return_follower(risk_services.risk_return_link)
