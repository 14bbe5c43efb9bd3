"""Writes that race each other through the REST API, on PostgreSQL: two connections write at the
same moment, exactly one of them lands, the other is answered a 4xx with a Chinese reason, and
nothing is half-written.

Who decides between the two:

- **4xx from the service, serialized on the household's row.** exit_save (like member_save,
  household_save of an existing household, household_remove, and the Excel import for every
  household its workbook names) first locks the household's row (SELECT ... FOR UPDATE). The second
  writer waits for the first to commit, then reads what it wrote and is refused by the service's
  check, naming the field: two exits of one household and year, 400 naming `year`; two imports each
  naming a new head, 422 with the refused row (the import's answer for a rule a row breaks).
- **409, the database's constraint decides.** Where the writers share no lock (two new households),
  both pass the services' checks on what they read; a partial unique index
  (`member_id_once_active`) refuses the second INSERT, the loser's transaction is rolled back
  whole, and the API's exception handler answers the IntegrityError with 409
  “与同时提交的另一条记录冲突”: one person into two new households.

How the overlap is forced, rather than hoped for: before the requests start, a third connection of
the test takes a lock in an open transaction that lets reads through but blocks the write the race
is about (`LOCK TABLE ... IN SHARE MODE` blocks INSERT/UPDATE/DELETE, not SELECT; or one row
`FOR UPDATE`). Both requests start together (a barrier), each in its own thread with its own
connection, and the test polls pg_locks/pg_stat_activity until PostgreSQL shows both request
backends waiting (a timeout fails the test): both have then read and checked everything before
either has written. Only then is the lock released. The test asserts on what each backend waits
for, so a test that ran its requests one after the other could not pass.

Each test commits for real (transaction=True), and pytest-django empties every table afterwards
(TRUNCATE), the reference data that tests/conftest.py loads once per session included: the
fixtures below load it before each test here and again after the module's last test, for the tests
that follow in the same worker.
"""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from households import workbook
from households.models import ExitRecord, Household, Member
from tests.conftest import api_as
from tests.factories import VillageFactory, household, member, resident_id
from tests.postgres import (  # noqa: F401  (the reference-data fixtures are used by being here)
    ON_POSTGRESQL,
    LockHolder,
    Requests,
    lock_waits,
    poll,
    reference_data,
    reference_data_after_the_module,
    waits,
)

pytestmark = [ON_POSTGRESQL, pytest.mark.django_db(transaction=True)]

API = "/api/v1/"


@pytest.fixture
def village(transactional_db):
    return VillageFactory(code="350424101201", township__code="350424101")


def post(user, path: str, body: dict):
    def call():
        client = api_as(get_user_model().objects.get(pk=user.pk))  # a user object per thread
        return client.post(f"{API}{path}", body, format="json")

    return call


def upload(user, data: bytes):
    def call():
        client = api_as(get_user_model().objects.get(pk=user.pk))
        return client.post(f"{API}households/import/", {"file": SimpleUploadedFile("h.xlsx", data)},
                           format="multipart")

    return call


def chinese(text) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", str(text)))


def by_status(answers) -> dict[int, object]:
    """The answers by status code; two of one status are a failure of their own."""
    by = {a.status_code: a for a in answers}
    assert len(by) == len(answers), [a.status_code for a in answers]
    return by


# ---------------------------------------------------------------- 400: serialized on the household's row


def test_two_exits_for_one_household_and_year_one_lands_the_other_is_a_400_naming_the_year(village, ninghua_clerk):
    """The first request takes the household's row and is stopped at its INSERT by the table lock;
    the second is stopped earlier, waiting for that row: PostgreSQL names the first as the backend
    it waits for. Released, the first commits; the second then reads its exit and is refused."""
    family = household(village=village,
                       members=[member(), member(relation="spouse", id_number=resident_id(sex="female"))])
    body = {"household": family.pk, "year": 2016, "income_per_capita": "4100.00"}
    holder = LockHolder("LOCK TABLE households_exitrecord IN SHARE MODE")
    try:
        requests = Requests(post(ninghua_clerk, "exits/", body), post(ninghua_clerk, "exits/", body))
        waiting = waits(2, requests, holder)
        inserting = [w for w in waiting.values() if w.relation == "households_exitrecord"]
        assert len(inserting) == 1 and inserting[0].blockers == [holder.pid], waiting
        (queued,) = (w for w in waiting.values() if w.pid != inserting[0].pid)
        assert queued.locktype in ("transactionid", "tuple") and queued.blockers == [inserting[0].pid], waiting
    finally:
        holder.release()

    answers = by_status(requests.answers())
    assert set(answers) == {201, 400}
    refused = answers[400].json()
    assert "year" in refused and all(chinese(m) for m in refused["year"]), refused
    assert any("2016年已有脱贫记录" in m for m in refused["year"]), refused
    exit_ = ExitRecord.objects.get(household=family)
    assert (exit_.pk, exit_.year, exit_.persons) == (answers[201].json()["id"], 2016, 2)
    assert ExitRecord.history.filter(household_id=family.pk).count() == 1
    family.refresh_from_db()
    assert family.status == Household.Status.EXITED


# ---------------------------------------------------------------- 409: the database's constraint decides


def new_household(village, number: str, head: str) -> dict:
    return {
        "number": number, "village": village.code, "category": "ordinary", "main_cause": "illness",
        "identified_year": 2014, "income_per_capita": "2300.00",
        "members": [
            {"name": "张大山", "id_number": head, "relation": "head", "labor": "ordinary"},
            {"name": "李秀英", "id_number": resident_id(sex="female"), "relation": "spouse", "labor": "weak"},
        ],
    }


def test_one_person_into_two_new_households_at_once_one_lands_the_other_is_a_409(village, ninghua_clerk):
    """Nothing common is locked: both requests check that the head is in no active household, both
    insert their household, and both are stopped by the table lock at the INSERT of their members,
    having passed every check. Released, the unique index member_id_once_active lets one through."""
    head = resident_id()
    bodies = [new_household(village, "350424101201-0101", head), new_household(village, "350424101201-0102", head)]
    holder = LockHolder("LOCK TABLE households_member IN SHARE MODE")
    try:
        requests = Requests(*(post(ninghua_clerk, "households/", b) for b in bodies))
        waiting = waits(2, requests, holder)
        assert all(w.relation == "households_member" and w.blockers == [holder.pid] for w in waiting.values()), waiting
    finally:
        holder.release()

    answers = by_status(requests.answers())
    assert set(answers) == {201, 409}
    assert chinese(answers[409].json()["detail"]) and "冲突" in answers[409].json()["detail"]
    won = answers[201].json()["number"]
    (lost,) = {b["number"] for b in bodies} - {won}
    assert list(Household.objects.values_list("number", flat=True)) == [won]
    assert not Household.history.filter(number=lost).exists()  # its history went with it
    assert Member.objects.get(id_number=head).household.number == won
    assert Member.objects.count() == 2
    assert not Household.objects.filter(members__isnull=True).exists()


def three_generations(village) -> Household:
    """老张 the head, his son and his daughter."""
    return household(number="350424101201-0201", village=village, members=[
        member(name="张老汉", id_number=resident_id(birth=datetime.date(1950, 2, 1))),
        member(name="张建国", relation="child", id_number=resident_id()),
        member(name="张秀兰", relation="child", id_number=resident_id(sex="female")),
    ])


def exported(family: Household) -> list[dict]:
    """Runs queries. The household's rows as the export writes them (one per member), as a clerk
    downloads them to edit."""
    return list(workbook.household_rows(Household.objects.filter(pk=family.pk), show_id=str))


def edited(rows: list[dict], members: dict[str, dict], **household_cells) -> bytes:
    """The rows, with the cells given for the members of these ID numbers (a relation by its code) and
    for the household, as a workbook of the import's layout."""
    rows = [{**r, **household_cells, **members.get(r["id_number"], {})} for r in rows]
    for r in rows:
        if r["relation"] in Member.Relation.values:
            r["relation"] = str(Member.Relation(r["relation"]).label)
    return workbook.households_workbook(rows)


def newcomer(name: str, sex: str) -> dict:
    """A person not yet in the registry, as a row of the import names them."""
    return {"name": name, "id_number": resident_id(sex=sex), "relation": "户主", "labor": "普通劳动力",
            "sex": None, "birth_date": None}


def test_two_imports_each_naming_a_new_head_one_lands_the_other_is_refused(village, ninghua_clerk):
    """Both workbooks come from one export; each makes 老张 a 父母 and adds a newcomer as the head (a
    son-in-law in one, a daughter-in-law in the other). The import locks the households it names
    before it reads them: the first takes the row, reads, and is stopped by the table lock at its
    first write of a member; the second waits for that row. Released, the first commits; the second
    then reads the first's head, whom its workbook does not list and so keeps (an import never
    deletes), and is refused: two heads, 422 with the row and a Chinese reason, nothing written.

    The import is the door: through members/ a head cannot be handed over at all (member_save locks
    the household, and one member's change leaves no head or two, which it refuses)."""
    family = three_generations(village)
    father = family.members.get(relation="head")
    rows = exported(family)
    base = rows[0]
    heirs = [newcomer("王建华", "male"), newcomer("刘秀梅", "female")]
    books = [workbook.households_workbook([
        *({**r, "relation": "父母" if r["id_number"] == father.id_number else r["relation"]} for r in rows),
        {**base, **heir}]) for heir in heirs]
    holder = LockHolder("LOCK TABLE households_member IN SHARE MODE")
    try:
        requests = Requests(*(upload(ninghua_clerk, book) for book in books))
        waiting = waits(2, requests, holder)
        writing = [w for w in waiting.values() if w.relation == "households_member"]
        assert len(writing) == 1 and writing[0].blockers == [holder.pid], waiting
        (queued,) = (w for w in waiting.values() if w.pid != writing[0].pid)
        assert queued.locktype in ("transactionid", "tuple") and queued.blockers == [writing[0].pid], waiting
    finally:
        holder.release()

    answers = requests.answers()
    assert sorted(a.status_code for a in answers) == [200, 422], [a.content for a in answers]
    won = [a.status_code for a in answers].index(200)
    assert answers[won].json()["written"] is True
    refused = answers[1 - won].json()
    assert refused["written"] is False
    assert any("户主" in p["reason"] and chinese(p["reason"]) for p in refused["problems"]), refused
    heads = list(family.members.filter(relation="head").values_list("name", flat=True))
    assert heads == [heirs[won]["name"]]
    assert family.members.get(pk=father.pk).relation == "parent"
    assert not Member.objects.filter(name=heirs[1 - won]["name"]).exists()
    # Three created, the winner's newcomer created and 老张 changed; nothing of the loser's.
    assert Member.history.filter(household_id=family.pk).count() == 5


def test_an_import_read_before_a_head_handover_does_not_leave_the_household_without_a_head(village, ninghua_clerk):
    """Two workbooks from one export: the handover (老张 becomes 父母, his son 户主) and a correction
    (the household's phone, the son's name). The test holds the household's row (FOR UPDATE); the
    correction is started first and waits for that row, before it has read anything: an import
    locks the households it names, then reads them. The handover is started next and queues behind
    it; then the row is released. The correction, read afresh, changes what it changes; the
    handover then reads the correction's result and hands the head over: one head, both answered
    200. (An import that read before it locked would write the son back as a child, on its stale
    copy, and leave the household without a head.)"""
    family = three_generations(village)
    father, son, _daughter = family.members.order_by("id")
    rows = exported(family)
    handover = edited(rows, {father.id_number: {"relation": "parent"}, son.id_number: {"relation": "head"}})
    correction = edited(rows, {son.id_number: {"name": "张建军"}}, phone="0598-6321234")
    holder = LockHolder("SELECT 1 FROM households_household WHERE id = %s FOR UPDATE", [family.pk])
    try:
        stale = Requests(upload(ninghua_clerk, correction))
        (waiting,) = waits(1, stale, holder).values()
        assert waiting.locktype in ("transactionid", "tuple") and waiting.blockers == [holder.pid], waiting
        fresh = Requests(upload(ninghua_clerk, handover))
        poll("the handover waits too", lambda: len(lock_waits(holder)) == 2)
    finally:
        holder.release()

    answers = stale.answers() + fresh.answers()
    assert [a.status_code for a in answers] == [200, 200], [a.content for a in answers]
    heads = list(family.members.filter(relation="head").values_list("pk", flat=True))
    assert heads == [son.pk]
    family.refresh_from_db()
    assert family.phone == "0598-6321234"
