from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workflows"
    verbose_name = "识别与退出流程、数据核查"

    def ready(self):
        from households.access import declare_role_permissions

        from . import access

        declare_role_permissions(access.ROLE_PERMISSIONS)
