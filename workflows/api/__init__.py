"""The workflows and the data-quality checks through the REST API (/api/v1/): serializers and views."""

from .notices import NoticePostingViewSet
from .risks import ReturnRiskViewSet, RiskFollowUpViewSet
from .views import AuditFindingViewSet, CaseViewSet, InTrayViewSet, PendingExitViewSet

__all__ = ["AuditFindingViewSet", "CaseViewSet", "InTrayViewSet", "NoticePostingViewSet", "PendingExitViewSet", "ReturnRiskViewSet",
           "RiskFollowUpViewSet"]
