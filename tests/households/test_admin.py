"""The clerks' admin: Chinese, validated by the same rules, saved through the services."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common.actors import SYSTEM
from households import services
from households.models import ExitRecord, Household, Member, ReliefMeasure
from tests.factories import VillageFactory, household, member, resident_id

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:households_household_add")


def inline(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def member_row(**fields) -> dict:
    return {
        "name": "张三", "id_number": resident_id(), "relation": "head", "health": "healthy",
        "labor": "ordinary", "schooling": "not_in_school", **fields,
    }


def household_post(village, members, **fields) -> dict:
    data = {
        "number": "350424-A001", "village": village.code, "category": "ordinary", "standard": "national",
        "identified_year": "2014", "main_cause": "illness", "income_per_capita": "2300.50", **fields,
    }
    data.update(inline("members", members))
    data.update(inline("measures", []))
    data.update(inline("exits", []))
    data.update(inline("returns", []))
    data.update(inline("incomes", []))  # on a change page only: an add page ignores it
    return data


def test_clerk_registers_a_household_with_members(admin_client, admin_user):
    village = VillageFactory()
    wife = resident_id(birth=datetime.date(1976, 2, 29), sex="female")
    response = admin_client.post(ADD_URL, household_post(village, [
        member_row(), member_row(name="李四", id_number=wife.lower(), relation="spouse"),
    ], other_causes=["lack_funds"]))
    assert response.status_code == 302, response.context["errors"]
    h = Household.objects.get(number="350424-A001")
    spouse = h.members.get(relation="spouse")
    assert (spouse.sex, spouse.birth_date, spouse.id_number) == ("female", datetime.date(1976, 2, 29), wife)
    assert list(h.other_causes.values_list("code", flat=True)) == ["lack_funds"]
    assert {record.history_user for record in h.history.all()} == {admin_user}
    assert spouse.history.get().history_user == admin_user


@pytest.mark.parametrize(
    "members, extra, message",
    [
        ([member_row(), member_row(name="李四")], {}, "每户只能有一名户主"),
        ([member_row(relation="child")], {}, "每户必须有一名户主"),
        ([member_row(id_number="350424197005170013")], {}, "校验码错误"),
        ([member_row()], {"income_per_capita": "很少"}, "输入一个数字"),
        ([member_row()], {"income_per_capita": "-5"}, "大于或等于0"),
        ([member_row()], {"other_causes": ["illness"]}, "其他致贫原因不能与主要致贫原因相同"),
        ([member_row()], {"county": "350425"}, "所选村不属于"),
    ],
)
def test_bad_household_is_refused_with_a_chinese_reason(admin_client, members, extra, message):
    response = admin_client.post(ADD_URL, household_post(VillageFactory(), members, **extra))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Household.objects.count() == Member.objects.count() == 0


def test_same_person_in_another_household_is_refused_in_the_admin(admin_client):
    taken = household()
    number = taken.members.get().id_number
    response = admin_client.post(ADD_URL, household_post(VillageFactory(), [member_row(id_number=number)]))
    assert "该公民身份号码已登记在另一个有效的贫困户中" in response.content.decode()
    assert Household.objects.count() == 1


def change_post(h: Household, rows: list[dict], **fields) -> dict:
    data = household_post(h.village, [], number=h.number, **fields)
    data.update(inline("members", rows, initial=sum(1 for r in rows if r.get("id"))))
    return data


def existing_row(m: Member, **changes) -> dict:
    row = {
        "id": str(m.pk), "household": str(m.household_id), "name": m.name, "id_number": m.id_number,
        "relation": m.relation, "sex": m.sex, "birth_date": m.birth_date.isoformat(),
    }
    return member_row(**{**row, **changes})


def test_head_is_handed_over_in_one_edit(admin_client):
    h = household(members=[member(), member(name="李四", relation="child", id_number=resident_id())])
    old, new = h.members.get(relation="head"), h.members.get(relation="child")
    url = reverse("admin:households_household_change", args=[h.pk])
    response = admin_client.post(url, change_post(h, [existing_row(old, relation="parent"), existing_row(new, relation="head")]))
    assert response.status_code == 302, response.context["errors"]
    assert h.members.get(relation="head").pk == new.pk


def test_measures_inline_follow_the_safety_net_rule(admin_client):
    h = household(category="ordinary")
    url = reverse("admin:households_household_change", args=[h.pk])
    data = change_post(h, [existing_row(h.members.get())])
    data.update(inline("measures", [{"channel": "minimum_living", "year": "2016", "content": "低保", "amount": "1200"}]))
    response = admin_client.post(url, data)
    assert "只用于两保障（低保户）" in response.content.decode()
    assert ReliefMeasure.objects.count() == 0
    data.update(inline("measures", [{"channel": "medical_aid", "year": "2016", "content": "大病救助", "amount": "1200"}]))
    assert admin_client.post(url, data).status_code == 302
    assert h.measures.get().channel_id == "medical_aid"


def test_status_cannot_be_edited_in_the_form(admin_client):
    h = household()
    url = reverse("admin:households_household_change", args=[h.pk])
    admin_client.post(url, change_post(h, [existing_row(h.members.get())], status="exited"))
    h.refresh_from_db()
    assert h.status == "registered"


def test_changelist_queries_do_not_grow_with_rows(admin_client):
    url = reverse("admin:households_household_changelist")
    household()
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200
    for _ in range(10):
        household(members=[member(), member(relation="child", id_number=resident_id())])
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(url)
    assert response.context["cl"].result_count == 11
    assert len(many) == len(few)


def test_changelist_searches_by_member_name_and_id_and_filters_by_county(admin_client):
    a = household(members=[member(name="王小明")])
    b = household(village=VillageFactory(township__county_id="350425"))
    url = reverse("admin:households_household_changelist")

    def found(**params):
        return {h.pk for h in admin_client.get(url, params).context["cl"].result_list}

    assert found(q="王小明") == {a.pk}
    assert found(q=b.members.get().id_number) == {b.pk}
    assert found(q=b.number) == {b.pk}
    assert found(county="350425") == {b.pk}
    assert found(status="registered") == {a.pk, b.pk}


def test_exit_recorded_in_the_admin_sets_status_and_snapshot(admin_client):
    h = household(members=[member(), member(relation="child", id_number=resident_id())])
    response = admin_client.post(reverse("admin:households_exitrecord_add"), {
        "household": h.pk, "year": "2016", "income_per_capita": "4100", "verified_by": "翠江镇工作组",
    })
    assert response.status_code == 302
    h.refresh_from_db()
    assert h.status == "exited"
    assert h.exits.get().persons == 2


def test_exit_before_identification_is_refused_in_the_admin(admin_client):
    h = household(identified_year=2016)
    response = admin_client.post(reverse("admin:households_exitrecord_add"), {
        "household": h.pk, "year": "2015", "income_per_capita": "4100",
    })
    assert "脱贫年度不能早于识别年份" in response.content.decode()
    assert ExitRecord.objects.count() == 0


def test_only_latest_exit_offers_delete(admin_client):
    h = household()
    first = services.exit_save(actor=SYSTEM, record=ExitRecord(household=h, year=2015, income_per_capita=Decimal("4000")))
    assert admin_client.get(reverse("admin:households_exitrecord_delete", args=[first.pk])).status_code == 200
    from households.models import ReturnRecord

    services.return_save(actor=SYSTEM, record=ReturnRecord(household=h, year=2016))
    assert admin_client.get(reverse("admin:households_exitrecord_delete", args=[first.pk])).status_code == 403


def test_remove_action_asks_for_a_reason_and_frees_members(admin_client):
    h = household()
    url = reverse("admin:households_household_changelist")
    asked = admin_client.post(url, {"action": "remove_households", "_selected_action": [h.pk]})
    assert "清退原因" in asked.content.decode()
    admin_client.post(url, {"action": "remove_households", "_selected_action": [h.pk], "reason": "整户迁出"})
    h.refresh_from_db()
    assert (h.status, h.removed_reason, h.members.get().active) == ("removed", "整户迁出", False)


def test_member_page_refuses_to_leave_a_household_without_head(admin_client):
    h = household()
    m = h.members.get()
    response = admin_client.post(reverse("admin:households_member_change", args=[m.pk]), {
        "name": m.name, "id_number": m.id_number, "relation": "child", "health": "healthy",
        "labor": "ordinary", "schooling": "not_in_school",
    })
    assert "每户必须有一名户主" in response.content.decode()
    m.refresh_from_db()
    assert m.relation == "head"


@pytest.mark.parametrize(
    "name", ["county", "township", "village", "povertycause", "reliefchannel", "household", "member",
             "reliefmeasure", "exitrecord", "returnrecord"],
)
def test_every_admin_page_is_in_chinese(admin_client, name):
    h = household()
    services.measure_save(actor=SYSTEM, measure=ReliefMeasure(household=h, channel_id="medical_aid", year=2016, content="救助"))
    response = admin_client.get(reverse(f"admin:households_{name}_changelist"))
    assert response.status_code == 200
    assert '<html lang="zh-hans"' in response.content.decode()
    assert str(response.context["cl"].opts.verbose_name_plural) in response.content.decode()
    # Members are added with their household, not on their own.
    add = admin_client.get(reverse(f"admin:households_{name}_add"))
    assert add.status_code == (403 if name == "member" else 200)


def test_admin_index_lists_the_daily_work_first(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert [app["app_label"] for app in response.context["app_list"]][:4] == [
        "households", "projects", "plans", "workflows"]
    registry = next(app for app in response.context["app_list"] if app["app_label"] == "households")
    assert [m["object_name"] for m in registry["models"]][:2] == ["Household", "Member"]
    projects = next(app for app in response.context["app_list"] if app["app_label"] == "projects")
    assert [m["object_name"] for m in projects["models"]][:3] == ["GuaranteeFund", "GuaranteedLoan", "Workshop"]
    assert "三明市精准扶贫建档立卡管理系统" in response.content.decode()


def test_search_matching_several_members_lists_the_household_once(admin_client):
    h = household(members=[member(name="张三"), member(name="张四", relation="child", id_number=resident_id())])
    response = admin_client.get(reverse("admin:households_household_changelist"), {"q": "张"})
    cl = response.context["cl"]
    assert (cl.result_count, [x.pk for x in cl.result_list]) == (1, [h.pk])
    assert cl.result_list[0].member_count == 2


def test_household_page_links_to_the_next_record_its_status_allows(admin_client):
    h = household()
    page = admin_client.get(reverse("admin:households_household_change", args=[h.pk])).content.decode()
    assert f'{reverse("admin:households_exitrecord_add")}?household={h.pk}' in page and "登记返贫" not in page
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=h, year=2016, income_per_capita=Decimal("4000")))
    page = admin_client.get(reverse("admin:households_household_change", args=[h.pk])).content.decode()
    assert f'{reverse("admin:households_returnrecord_add")}?household={h.pk}' in page and "登记脱贫" not in page
    form = admin_client.get(f'{reverse("admin:households_returnrecord_add")}?household={h.pk}').context["adminform"].form
    assert form.initial["household"] == str(h.pk)
