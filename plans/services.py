"""Every write of the city's records of its actions (plans/models.py): the admin and the API call
these. The plan's own numbers (the annex, the targets) come from fixtures/ only."""

from django.db import transaction

from common.actors import person
from common.refusals import Refused
from households.models import RegistryModel

from .access import may_keep_plan_records


def plan_record_gate(*, actor, model: type | None = None) -> None:
    """Refused unless the actor keeps the city's records (the API asks it before reading a write)."""
    if not may_keep_plan_records(actor):
        raise Refused("只有市农业局（农办）审核员可以修改计划记录")


def plan_record_save(*, actor, record: RegistryModel) -> RegistryModel:
    """Record or change one of the city's records of its actions; its rules live in its clean()."""
    plan_record_gate(actor=actor)
    with transaction.atomic():
        record.full_clean()
        record._history_user = person(actor)
        record.save()
    return record


def plan_record_delete(*, actor, record: RegistryModel) -> None:
    plan_record_gate(actor=actor)
    record._history_user = person(actor)
    record.delete()
