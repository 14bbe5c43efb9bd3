from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "三明市精准扶贫建档立卡管理系统"
admin.site.site_title = "三明精准扶贫"
admin.site.index_title = "建档立卡数据管理"

urlpatterns = [
    # Until the dashboards land, the registry's front door is the admin.
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
]
