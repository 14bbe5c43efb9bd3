"""Every write to the registry goes through these functions: the admin, the REST API, Excel
imports and management commands all call them, so each rule is applied the same way.

A service takes the acting user (`actor`, keyword-only; common.actors.SYSTEM for the registry
itself) and the model instances its caller has built (from a form, a serializer or a sheet row).
It asks access.py whether the actor may make the write (common.refusals.Refused when not),
validates with full_clean() plus the rules that span several records, and saves in one
transaction. Bad input raises ValidationError naming the field and leaves the database as it was.
"""

from .bulk import BatchInvalid, Problem, registry_bulk_create, registry_problems
from .changes import member_change_record
from .closes import accepted_closes, frozen_guard, frozen_guard_any, frozen_reason, year_frozen
from .exports import export_log
from .helper_imports import HelperImportResult, HelperProblem, HelperRow, HelperRowsInvalid, helper_assignments_import
from .helpers import (
    assignment_end,
    assignment_start,
    assignment_update,
    helper_create,
    helper_update,
    household_helper_set,
    visit_delete,
    visit_record,
    visit_update,
)
from .households import (
    household_check_links,
    household_delete,
    household_remove,
    household_save,
    member_delete,
    member_save,
    members_check,
)
from .import_report import ImportProblem, ImportReport, SheetRow
from .imports import import_gate, registry_import
from .incomes import (
    income_agree,
    income_change,
    income_delete,
    income_follower,
    income_latest_refresh,
    income_of_registration,
    income_record,
)
from .places import (
    BUREAU_DEFINED,
    alleviation_model_delete,
    alleviation_model_save,
    place_delete,
    place_save,
)
from .records import (
    exit_delete,
    exit_save,
    household_status_refresh,
    measure_delete,
    measure_save,
    return_delete,
    return_follower,
    return_save,
)
from .reference import (
    reference_data_load,
    role_check,
    role_grant,
    role_group_sync,
    role_revoke,
)
from .totals import event_totals_rebuild
from .transfers import transfer_accept, transfer_refuse, transfer_release

__all__ = [
    "BatchInvalid", "Problem", "registry_bulk_create", "registry_problems", "export_log",
    "household_check_links", "household_delete", "household_remove", "household_save", "member_delete",
    "member_save", "members_check", "income_agree", "income_change", "income_delete", "income_follower", "income_latest_refresh",
    "income_of_registration", "income_record", "ImportProblem", "ImportReport", "SheetRow", "import_gate", "registry_import",
    "BUREAU_DEFINED", "alleviation_model_delete", "alleviation_model_save", "place_delete", "place_save", "exit_delete", "exit_save",
    "household_status_refresh", "measure_delete", "measure_save", "return_delete", "return_follower",
    "return_save", "member_change_record", "reference_data_load", "role_check", "role_grant", "role_group_sync", "role_revoke",
    "transfer_accept", "transfer_refuse", "transfer_release", "event_totals_rebuild",
    "HelperImportResult", "HelperProblem", "HelperRow", "HelperRowsInvalid", "helper_assignments_import",
    "assignment_end", "assignment_start", "assignment_update", "helper_create", "helper_update", "household_helper_set",
    "visit_delete", "visit_record", "visit_update",
    "accepted_closes", "frozen_guard", "frozen_guard_any", "frozen_reason", "year_frozen",
]
