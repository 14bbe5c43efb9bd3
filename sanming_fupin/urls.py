from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from departments import api as departments_api
from households import api as households_api
from jobs import api as jobs_api
from plans import api as plans_api
from plans import close_api
from projects import api as projects_api
from workflows import api as workflows_api

from .views import TokenView

router = DefaultRouter()
router.register("counties", households_api.CountyViewSet)
router.register("townships", households_api.TownshipViewSet)
router.register("villages", households_api.VillageViewSet)
router.register("causes", households_api.PovertyCauseViewSet)
router.register("channels", households_api.ReliefChannelViewSet)
router.register("alleviation-models", households_api.AlleviationModelViewSet)
router.register("households", households_api.HouseholdViewSet, basename="household")
router.register("members", households_api.MemberViewSet, basename="member")
router.register("measures", households_api.ReliefMeasureViewSet, basename="measure")
router.register("exits", households_api.ExitRecordViewSet, basename="exit")
router.register("returns", households_api.ReturnRecordViewSet, basename="return")
router.register("transfers", households_api.TransferViewSet, basename="transfer")
router.register("member-changes", households_api.MemberChangeViewSet, basename="member-change")
router.register("incomes", households_api.IncomeViewSet, basename="income")
router.register("helpers", households_api.HelperViewSet, basename="helper")
router.register("helper-assignments", households_api.HelperAssignmentViewSet, basename="helper-assignment")
router.register("helper-visits", households_api.HelperVisitViewSet, basename="helper-visit")
router.register("helper-reports", households_api.HelperReportViewSet, basename="helper-report")
router.register("guarantee-funds", projects_api.GuaranteeFundViewSet, basename="guarantee-fund")
router.register("loans", projects_api.GuaranteedLoanViewSet, basename="loan")
router.register("workshops", projects_api.WorkshopViewSet, basename="workshop")
router.register("workshop-jobs", projects_api.JobViewSet, basename="workshop-job")
router.register("public-posts", projects_api.PublicPostViewSet, basename="public-post")
router.register("pilots", projects_api.PilotViewSet, basename="pilot")
router.register("education-funds", projects_api.EducationFundViewSet, basename="education-fund")
router.register("student-aids", projects_api.StudentAidViewSet, basename="student-aid")
router.register("training-institutions", projects_api.TrainingInstitutionViewSet, basename="training-institution")
router.register("training-courses", projects_api.TrainingCourseViewSet, basename="training-course")
router.register("trainings", projects_api.TrainingViewSet, basename="training")
router.register("plans/quotas", plans_api.QuotaViewSet)
router.register("plans/progress", plans_api.ProgressViewSet, basename="progress")
router.register("plans/consistency", plans_api.ConsistencyViewSet, basename="consistency")
router.register("plans/population", plans_api.PopulationViewSet, basename="population")
router.register("plans/village-incomes", plans_api.VillageIncomeViewSet)
router.register("workflows/cases", workflows_api.CaseViewSet, basename="case")
router.register("workflows/in-tray", workflows_api.InTrayViewSet, basename="in-tray")
router.register("workflows/notices", workflows_api.NoticePostingViewSet, basename="notice-posting")
router.register("workflows/pending-exits", workflows_api.PendingExitViewSet, basename="pending-exit")
router.register("closes", close_api.CloseViewSet, basename="close")
router.register("finding-explanations", close_api.FindingExplanationViewSet, basename="finding-explanation")
router.register("return-risks", workflows_api.ReturnRiskViewSet, basename="return-risk")
router.register("return-risk-follow-ups", workflows_api.RiskFollowUpViewSet, basename="return-risk-follow-up")
router.register("department-lists", departments_api.DepartmentListViewSet, basename="department-list")
router.register("audit/findings", workflows_api.AuditFindingViewSet, basename="audit-finding")
router.register("jobs", jobs_api.JobViewSet, basename="job")

urlpatterns = [
    # The front door is the city's overview; clerks enter records in the admin.
    path("", RedirectView.as_view(pattern_name="dashboard:overview", permanent=False)),
    path("dashboard/", include("dashboard.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", TokenView.as_view(), name="api-token"),
    path("api/v1/documents/", include("documents.urls")),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

handler404 = "common.api.not_found"
handler500 = "common.api.server_error"
