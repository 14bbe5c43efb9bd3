from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("breakdowns/", views.breakdowns, name="breakdowns"),
    path("villages/", views.villages, name="villages"),
    path("projects/", views.projects, name="projects"),
    path("county/<str:code>/", views.county, name="county"),
    path("township/<str:code>/", views.township, name="township"),
    path("village/<str:code>/", views.village, name="village"),
    path("household/<int:pk>/", views.household, name="household"),
    # The work on the registry: what waits on whom, and the data-quality checks.
    path("in-tray/", views.in_tray, name="in_tray"),
    path("audit/", views.audit, name="audit"),
    # The helpers (帮扶责任人): households without one, helpers above the ceiling, visits due and made.
    path("helpers/", views.helpers, name="helpers"),
    # The warnings of a return to poverty (返贫风险) and their follow-ups.
    path("return-risks/", views.return_risks, name="return_risks"),
    # The year-end close: every county × year, and one county-year with its steps.
    path("closes/", views.closes, name="closes"),
    path("closes/<str:key>/", views.close, name="close"),
]
