from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class RegistryAdminSite(admin.AdminSite):
    site_header = "三明市精准扶贫建档立卡管理系统"
    site_title = "三明精准扶贫"
    index_title = "建档立卡数据管理"

    # The clerks' daily work first, reference data last, accounts and login records after the
    # registry and the plan (Django would sort by name).
    MODEL_ORDER = [
        "Household", "Member", "MemberChange", "HouseholdIncome", "ReliefMeasure", "ExitRecord", "ReturnRecord", "Transfer",
        "County", "Township", "Village", "PovertyCause", "ReliefChannel",
        # The five projects in the plan's order (三.(一).1–5), each unit before its records.
        "GuaranteeFund", "GuaranteedLoan", "Workshop", "Job", "PublicPost", "Pilot", "EducationFund", "StudentAid",
        "TrainingInstitution", "TrainingCourse", "Training",
    ]

    APP_ORDER = ["households", "projects", "plans", "workflows", "auth", "authtoken", "axes"]

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        rank = {name: i for i, name in enumerate(self.MODEL_ORDER)}
        for app in apps:
            app["models"].sort(key=lambda m: (rank.get(m["object_name"], len(rank)), m["name"]))
        order = {label: i for i, label in enumerate(self.APP_ORDER)}
        return sorted(apps, key=lambda app: order.get(app["app_label"], len(order)))


class RegistryAdminConfig(AdminConfig):
    default_site = "sanming_fupin.admin.RegistryAdminSite"
