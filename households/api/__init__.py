"""The registry through the REST API (/api/v1/): serializers, filters and views."""

from .changes import MemberChangeViewSet
from .helper_reports import HelperReportViewSet
from .helper_visits import HelperVisitViewSet
from .helpers import HelperAssignmentViewSet, HelperViewSet
from .incomes import IncomeViewSet
from .places import (
    AlleviationModelViewSet,
    CountyViewSet,
    PovertyCauseViewSet,
    ReliefChannelViewSet,
    TownshipViewSet,
    VillageViewSet,
)
from .transfers import TransferViewSet
from .views import (
    ExitRecordViewSet,
    HouseholdViewSet,
    MemberViewSet,
    ReliefMeasureViewSet,
    ReturnRecordViewSet,
)

__all__ = [
    "AlleviationModelViewSet", "CountyViewSet", "PovertyCauseViewSet", "ReliefChannelViewSet", "TownshipViewSet",
    "VillageViewSet", "ExitRecordViewSet", "HouseholdViewSet", "MemberViewSet", "ReliefMeasureViewSet",
    "ReturnRecordViewSet", "TransferViewSet", "MemberChangeViewSet", "IncomeViewSet",
    "HelperViewSet", "HelperAssignmentViewSet", "HelperVisitViewSet",
    "HelperReportViewSet",
]
