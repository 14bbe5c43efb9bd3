"""The five projects through the REST API (/api/v1/): serializers, filters and views."""

from .views import (
    EducationFundViewSet,
    GuaranteedLoanViewSet,
    GuaranteeFundViewSet,
    JobViewSet,
    PilotViewSet,
    PublicPostViewSet,
    StudentAidViewSet,
    TrainingCourseViewSet,
    TrainingInstitutionViewSet,
    TrainingViewSet,
    WorkshopViewSet,
)

__all__ = [
    "EducationFundViewSet", "GuaranteedLoanViewSet", "GuaranteeFundViewSet", "JobViewSet", "PilotViewSet",
    "PublicPostViewSet", "StudentAidViewSet", "TrainingCourseViewSet", "TrainingInstitutionViewSet", "TrainingViewSet",
    "WorkshopViewSet",
]
