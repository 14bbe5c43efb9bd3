"""Pages of the workflows and the checks, under /dashboard/ beside the bureau's other pages."""

from django.urls import path

from . import views

app_name = "workflows"

urlpatterns = [
    path("in-tray/", views.in_tray, name="in_tray"),
    path("audit/", views.audit, name="audit"),
]
