"""Every write to the five projects' records: the admin, the REST API and the demo call these, so
each rule is applied the same way (households/services.py says how a service works).

A project's record of a person points to a relief measure of the person's household (the measure
is what was done for the household; the record, through which project). Where the caller gives no
measure, the service records one of the project's channel for the record's year, so a clerk enters
a trainee once and the household's measures show the training.
"""

from collections.abc import Iterable

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from common.actors import person
from households.models import Household, RegistryModel, ReliefMeasure, related
from households.services import frozen_guard, measure_save

from . import access
from .models import GuaranteedLoan, HouseholdLink, Job, Pilot, PublicPost, StudentAid, Training


def _unit_county(unit) -> str | None:
    """The county a unit is placed in, or None while its place is not chosen (clean() says so)."""
    try:
        return unit.county_code
    except (TypeError, ObjectDoesNotExist):
        return None


def _household_of(record: HouseholdLink) -> Household | None:
    """The household a record of a person serves: its member's (a loan's: its measure's)."""
    holder = related(record, "measure" if isinstance(record, GuaranteedLoan) else "member")
    return holder.household if holder is not None else None


def unit_gate(*, actor, model: type) -> None:
    """Refused unless the actor may set up units of this project in some county (the API asks it
    before reading a write)."""
    access.require_unit_writable(actor, model, None)


def _check_unit(actor, unit) -> None:
    """Runs queries. The actor may change the unit as it stands, and place it where it is going."""
    if not unit._state.adding:
        stored = type(unit).objects.get(pk=unit.pk)
        access.require_unit_writable(actor, stored, _unit_county(stored))
    access.require_unit_writable(actor, unit, _unit_county(unit), field=unit.place_field)


def _check_link(actor, record: HouseholdLink) -> None:
    """Runs queries. The actor may record the project's measures for the household the record serves,
    as it stands and as it becomes (another member may be another household's)."""
    if not record._state.adding:
        stored = type(record).objects.get(pk=record.pk)
        access.require_link_recordable(actor, stored, _household_of(stored))
    household = _household_of(record)
    if household is not None:
        access.require_link_recordable(actor, record, household)


def project_save(*, actor, record: RegistryModel) -> RegistryModel:
    """Set up or change a project (a guarantee fund, a workshop, an education fund, a training
    institution or course) in a county where the actor may (access.project_counties_writable_by,
    by the project's channel): its rules live in its clean()."""
    with transaction.atomic():
        _check_unit(actor, record)
        record.full_clean()
        record._history_user = person(actor)
        record.save()
    return record


def project_delete(*, actor, record: RegistryModel) -> None:
    """Delete a project's record; one that others point to (a fund with loans, a course with
    trainees) is protected (ProtectedError, a 409 in the API). A measure the service recorded for a
    record of a person goes with the last record that carries it out."""
    with transaction.atomic():
        if isinstance(record, HouseholdLink):
            access.require_link_recordable(actor, record, _household_of(record))
        else:
            access.require_unit_writable(actor, record, _unit_county(record))
        measure = getattr(record, "measure", None)
        if measure is not None and measure.by_project:
            # The measure it may take along counts in its year (households/services/closes.py).
            frozen_guard(county_code=measure.household.county_code, year=measure.year)
        record._history_user = person(actor)
        record.delete()
        if measure is not None and measure.by_project:
            try:
                with transaction.atomic():
                    measure.delete()
            except ProtectedError:
                pass  # another record still carries it out


def measure_for(record: HouseholdLink) -> ReliefMeasure:
    """The relief measure a record carries out, when the caller gave none: of the member's household,
    the project's channel and the record's year, saying what the project did. Unsaved: link_save
    records it, the demo (demo/projects.py) writes it in bulk."""
    match record:
        case Job():
            year, content, unit, amount = record.year, f"就业扶贫车间务工：{record.workshop}", record.workshop.enterprise, 0
        case PublicPost():
            year, content, unit, amount = record.year, f"公益性岗位：{record.get_kind_display()}", "", 0
        case StudentAid():
            year, content, unit, amount = record.year, f"乡村教育助学：{record.fund}", str(record.fund), record.amount
        case Training():
            course = record.course
            year, content, unit, amount = course.year, f"技能培训：{course.name}", str(course.institution), 0
    return ReliefMeasure(household=record.member.household, channel_id=record.channel, year=year,
                         content=content[:200], unit=unit[:100], amount=amount, by_project=True)


def link_save(*, actor, record: HouseholdLink) -> HouseholdLink:
    """Record or change what a project did for a member: a job in a workshop, a public-welfare post,
    an education grant or a training (三.(一).2, 4, 5), or a guaranteed loan (三.(一).1), which
    always names its measure: the loan's amount and term are the measure's.

    Whoever may record the project's measure for the household records it (access.may_record_project).
    The record is checked before a measure is made for it, so a bad record makes none."""
    with transaction.atomic():
        _check_link(actor, record)
        if record.measure_id is None and not isinstance(record, GuaranteedLoan):
            record.full_clean(exclude=["measure"])
            record.measure = measure_save(actor=actor, measure=measure_for(record))
        record.full_clean()
        record._history_user = person(actor)
        record.save()
    return record


def pilot_check(*, pilot: Pilot, households: list[Household] | None = None) -> None:
    """pilot_save's rules without saving (ValidationError naming the fields): the admin's form shows
    them on its fields before anything is written."""
    errors = {}
    try:
        pilot.full_clean()
    except ValidationError as e:
        errors.update(e.message_dict)
    if households is not None:
        removed = [h.number for h in households if h.status == Household.Status.REMOVED]
        if removed:
            errors["households"] = [f"已清退的户不能作为帮带贫困户：{'、'.join(removed)}"]
        if households and pilot.is_village:
            errors["households"] = ["试点示范村带动的是本村贫困户，不另列帮带户"]
    if errors:
        raise ValidationError(errors)


def pilot_save(*, actor, pilot: Pilot, households: Iterable[Household] | None = None) -> Pilot:
    """Choose a pilot village or a pilot organisation, or change one (三.(一).3): the city's choice
    (the city reviewer); an organisation names the poor households it brings along (帮带), none of
    them removed from the register. `households` None keeps those it has."""
    if households is not None:
        households = list(households)
    with transaction.atomic():
        _check_unit(actor, pilot)
        pilot_check(pilot=pilot, households=households)
        pilot._history_user = person(actor)
        pilot.save()
        if households is not None:
            pilot.households.set(households)
    return pilot
