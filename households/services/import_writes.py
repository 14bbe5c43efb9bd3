"""The Excel import's records written (services/imports.py): a part of the workbook's households
with their members, incomes and causes, the new ones by COPY from the background writer."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from simple_history.utils import bulk_update_with_history

from common.actors import person

from ..layout import HOUSEHOLD_FIELDS, MEMBER_FIELDS
from ..models import Household, HouseholdIncome, Member
from .bulk import causes_replace, link, new_incomes
from .copies import Ids, assign_ids, insert_with_history


@dataclass
class Part:
    """Instances of the workbook's households (imports._instances), a household's records all in one part."""

    households: list[Household] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)  # of these households, the kept ones too
    write: set[int] = field(default_factory=set)  # the new or changed records, by id()
    causes: dict[int, list[str]] = field(default_factory=dict)  # a household's new secondary causes, by id()
    new: set[int] = field(default_factory=set)  # the new households, by id()

    def pairs(self) -> list[tuple[Household, str]]:
        return [(h, code) for h in self.households for code in self.causes.get(id(h), ())]

    def only(self, keep: Callable[[Household], bool]) -> "Part":
        """The households `keep` keeps, with their members."""
        households = [h for h in self.households if keep(h)]
        mine = {id(h) for h in households}
        return Part(households, [m for m in self.members if id(m.household) in mine], self.write, self.causes,
                    self.new)

    def extend(self, other: "Part") -> None:
        self.households += other.households
        self.members += other.members
        self.write |= other.write
        self.causes |= other.causes
        self.new |= other.new


def write_part(actor, part: Part, reason: str, writer, drawn: Ids | None = None, batch_size: int = 2000):
    """A part's households created or updated with their members, history kept (with the actor).
    The new records are sent by `writer` (copies.background_writes), the updates as they come."""
    households, members, write, causes = part.households, part.members, part.write, part.causes
    user = person(actor)
    history = {"default_user": user, "default_change_reason": reason, "batch_size": batch_size}
    created = {"user": user, "reason": reason, "batch_size": batch_size, "writer": writer}
    # Sorted before anything is written: a created record has an id afterwards. (`id`, not `pk`:
    # the property's call, for each of a city's records, added up to a tenth of a second.)
    new_households = [h for h in households if h.id is None]
    changed_households = [h for h in households if h.id is not None and id(h) in write]
    new_members = [m for m in members if m.id is None]
    changed = [m for m in members if m.id is not None and id(m) in write]
    replaced = [h for h in households if id(h) in causes and h.id is not None]  # the new have none to replace
    # The new households' income of their identification year, in one statement like their members.
    new = {id(h) for h in new_households}
    incomes = new_incomes(new_households, [m for m in members if id(m.household) in new], user=user)
    if connection.vendor == "postgresql":  # every id given before the writer is busy
        for records, model in ((new_households, Household), (new_members, Member), (incomes, HouseholdIncome)):
            if records:
                assign_ids(records, model, drawn=drawn)
    insert_with_history(new_households, Household, **created)
    if changed_households:
        bulk_update_with_history(changed_households, Household, HOUSEHOLD_FIELDS, **history)
    # A head handed over: whoever stops being head goes first, the new members after, whoever
    # becomes head last, or the partial unique index (one head per household) sees two heads.
    stepping_down = [m for m in changed if m.relation != Member.Relation.HEAD]
    if stepping_down:
        bulk_update_with_history(stepping_down, Member, MEMBER_FIELDS, **history)
    link(new_members, "household")  # new households now have their ids
    insert_with_history(new_members, Member, **created)
    link(incomes, "household")
    insert_with_history(incomes, HouseholdIncome, **created)
    stepping_up = [m for m in changed if m.relation == Member.Relation.HEAD]
    if stepping_up:
        bulk_update_with_history(stepping_up, Member, MEMBER_FIELDS, **history)
    causes_replace(part.pairs(), batch_size=batch_size, replace=replaced, writer=writer)
