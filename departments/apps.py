from django.apps import AppConfig

# The departments and the city reviewer upload lists (which of them, access.kinds_of decides) and
# read them; nobody changes a list once kept: a new one is uploaded.
LIST_PERMISSIONS = {
    "city_reviewer": ["departments.view_departmentlist", "departments.add_departmentlist"],
    "channel_department": ["departments.view_departmentlist", "departments.add_departmentlist"],
}


class DepartmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "departments"
    verbose_name = "部门名单比对"

    def ready(self):
        # The checks and the matching job register themselves as their modules are imported.
        from households.access import declare_role_permissions

        from . import checks, jobs  # noqa: F401

        declare_role_permissions(LIST_PERMISSIONS)
