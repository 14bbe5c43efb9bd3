"""The registry (建档立卡): places, households, members, causes, channels, measures, exits, returns.

Every rule lives twice on purpose: as a named database constraint, the guard nothing can
bypass, and in clean(), which names the field in Chinese for the admin, the API and imports.
Writes go through households/services/.
"""

from .base import (
    FIRST_YEAR,
    LAST_YEAR,
    LOAN_MAX_AMOUNT,
    LOAN_MAX_MONTHS,
    RegistryModel,
    choices_check,
    exists_besides,
    related,
    year_check,
    year_validators,
)
from .changes import ChangeKind, CorrectedField, MemberChange
from .closes import CloseState, FindingExplanation, YearClose
from .helpers import Helper, HelperAssignment, HelperLevel, HelperVisit, VisitKind
from .households import (
    Health,
    Household,
    HouseholdQuerySet,
    HouseholdStandard,
    HouseholdStatus,
    Labor,
    Member,
    Relation,
    Schooling,
    Sex,
)
from .incomes import HouseholdIncome, IncomeSource
from .places import County, Township, Village
from .records import ExitRecord, HouseholdEvent, ReliefMeasure, ReturnRecord
from .reference import (
    AlleviationModel,
    ChannelKind,
    HouseholdCategory,
    PovertyCause,
    ReliefChannel,
)
from .roles import ExportDoor, ExportLog, Role, UserRole
from .totals import TOTAL_KINDS, EventTotal
from .transfers import Transfer, TransferQuerySet, TransferReason, TransferState

__all__ = [
    "FIRST_YEAR", "LAST_YEAR", "LOAN_MAX_AMOUNT", "LOAN_MAX_MONTHS", "RegistryModel", "choices_check",
    "exists_besides", "related", "year_check", "year_validators", "Health", "Household", "HouseholdQuerySet",
    "HouseholdStandard", "HouseholdStatus", "Labor", "Member", "Relation", "Schooling", "Sex", "County",
    "Township", "Village", "HouseholdIncome", "IncomeSource", "ExitRecord", "HouseholdEvent", "ReliefMeasure", "ReturnRecord", "AlleviationModel",
    "ChannelKind", "HouseholdCategory", "PovertyCause", "ReliefChannel", "ExportDoor", "ExportLog", "Role",
    "UserRole", "Transfer", "TransferQuerySet", "TransferReason", "TransferState",
    "ChangeKind", "CorrectedField", "MemberChange", "CloseState", "FindingExplanation", "YearClose",
    "Helper", "HelperAssignment", "HelperLevel", "HelperVisit", "VisitKind", "EventTotal", "TOTAL_KINDS",
]
