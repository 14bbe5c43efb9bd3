"""Reads of the registry that more than one door needs."""

from django.db.models import OuterRef, Subquery

from .models import ExitRecord, Household, HouseholdEvent, Member


def event_is_latest(record: HouseholdEvent) -> bool:
    """Runs a query. Is this the household's latest exit or return, the only one that may be
    taken back? Exits and returns alternate, so the latest is of the kind the status says."""
    status = Household.Status.EXITED if isinstance(record, ExitRecord) else Household.Status.RETURNED
    latest = type(record).objects.filter(household_id=record.household_id).order_by("-year").first()
    return record.household.status == status and latest == record


def household_list():
    """Households with their places, main cause, head's name and member count, in one query."""
    heads = Member.objects.filter(household=OuterRef("pk"), relation=Member.Relation.HEAD).values("name")[:1]
    return Household.objects.with_places().with_member_counts().annotate(head_name=Subquery(heads))
