"""Household transfers (迁移): the one way a household's village changes (plan 二.(一).9 moves
households into settlement communities, often in another village or township or county).

Within one county the county's clerk records the move in one step: accepted at once, the household
moves. Across counties the sending county's clerk releases it (transfer_release), the receiving
county's clerk accepts it (transfer_accept) or refuses it with a reason (transfer_refuse); until it
is accepted the household stays where it was, and the transfer is listed for both counties.

Exits and returns stay counted for the county where they were recorded (their `county` does not
follow the household); what happens after the move counts for the new county."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common.actors import person

from .. import access
from ..models import Household, Transfer, Village
from .closes import frozen_guard_any, today_year
from .households import locked, stamp

State = Transfer.State


def transfer_release(*, actor, household: Household | int, to_village: Village | str, reason: str,
                     settlement: str = "", note: str = "") -> Transfer:
    """Move a household to another village (迁出). Released by whoever may change the household (the
    sending county's clerk); within the same county it is accepted at once and the household moves,
    across counties it waits for the receiving county (transfer_accept, transfer_refuse). Refused: a
    removed household, one with a transfer still pending, a move into its own village, a settlement
    named for a reason other than 易地扶贫搬迁."""
    with transaction.atomic():
        pk = household.pk if isinstance(household, Household) else household
        household = locked(pk)
        access.require_household_writable(actor, household)
        code = to_village.pk if isinstance(to_village, Village) else to_village
        target = Village.objects.filter(pk=code).first() if code else None
        errors = {}
        if target is None:
            errors["to_village"] = ["请选择迁入村" if not code else f"未知的村代码 {code}"]
        if target is not None:
            _frozen_guard(household.county_code, target.pk[:6])
        if household.transfers.pending().exists():
            errors["household"] = ["该户已有待接收的迁移，须先由迁入县接收或拒收"]
        now = timezone.now()
        transfer = Transfer(household=household, from_village_id=household.village_id, to_village=target,
                            reason=reason, settlement=settlement or "", note=note or "", state=State.PENDING,
                            released_by=person(actor), released_at=now)
        try:
            transfer.full_clean(exclude=["to_village"] if target is None else None)
        except ValidationError as e:
            for field, messages in e.message_dict.items():
                errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)
        if not transfer.across_counties:
            transfer.state, transfer.decided_by, transfer.decided_at = State.ACCEPTED, person(actor), now
        stamp(actor, transfer)
        transfer.save()
        if transfer.state == State.ACCEPTED:
            _move(actor, household, transfer)
    return transfer


def transfer_accept(*, actor, transfer: Transfer | int) -> Transfer:
    """The receiving county accepts a household released to it (迁入接收): the household moves to the
    transfer's village, and from now on counts for that county. Refused to the sending county, and
    for a transfer already accepted or refused."""
    with transaction.atomic():
        transfer = _pending(actor, transfer)
        household = locked(transfer.household_id)
        if household.village_id != transfer.from_village_id:  # a guard: nothing else moves a household
            raise ValidationError({"household": "该户已不在迁出村，不能接收"})
        if household.status == Household.Status.REMOVED:  # removed (清退) while it waited
            raise ValidationError({"household": "该户已清退，不能接收；请拒收"})
        transfer.state, transfer.decided_by, transfer.decided_at = State.ACCEPTED, person(actor), timezone.now()
        transfer.full_clean()
        stamp(actor, transfer)
        transfer.save()
        _move(actor, household, transfer)
    return transfer


def transfer_refuse(*, actor, transfer: Transfer | int, reason: str) -> Transfer:
    """The receiving county refuses a household released to it, with the reason (拒收): the
    household stays where it was, and may be released again. Refused to the sending county, without
    a reason, and for a transfer already accepted or refused."""
    with transaction.atomic():
        transfer = _pending(actor, transfer)
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"refusal_reason": "拒收必须填写原因"})
        transfer.state, transfer.refusal_reason = State.REFUSED, reason
        transfer.decided_by, transfer.decided_at = person(actor), timezone.now()
        transfer.full_clean()
        stamp(actor, transfer)
        transfer.save()
    return transfer


def _pending(actor, transfer: Transfer | int) -> Transfer:
    """Runs queries. The transfer's row, locked; the actor may decide it; it is still pending."""
    pk = transfer.pk if isinstance(transfer, Transfer) else transfer
    transfer = Transfer.objects.select_for_update(of=("self",)).get(pk=pk)
    access.require_transfer_decidable(actor, transfer)
    _frozen_guard(transfer.from_village_id[:6], transfer.to_village_id[:6])
    if transfer.state != State.PENDING:
        raise ValidationError({"state": f"该迁移{transfer.get_state_display()}，不能再接收或拒收"})
    return transfer


def _frozen_guard(*counties: str) -> None:
    """Runs a query. A transfer's step takes effect today (a move counts from the day it is
    accepted): refused, for both counties, while today's year is accepted (services/closes.py)."""
    year = today_year()
    frozen_guard_any([(county, year) for county in counties], field=None)


def _move(actor, household: Household, transfer: Transfer) -> None:
    """The household's history has the move (its village, by whom)."""
    household.village_id = transfer.to_village_id
    stamp(actor, household)
    household.save(update_fields=["village"])
