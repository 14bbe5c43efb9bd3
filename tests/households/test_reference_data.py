import json

import pytest
from django.conf import settings
from django.core.management import call_command

from households.models import County, PovertyCause, ReliefChannel

pytestmark = pytest.mark.django_db

GLOSSARY_CAUSE_CHANNELS = {
    "illness": "medical_aid",
    "disability": "disability_aid",
    "schooling": "education_aid",
    "disaster": "disaster_relief",
    "lack_skills": "skills_training",
    "lack_funds": "financial_support",
    "lack_labor": "labor_mutual_aid",
    "lack_motivation": "confidence_rebuilding",
    "harsh_conditions": "relocation",
}


def test_the_twelve_counties_of_the_annex():
    assert dict(County.objects.values_list("code", "name")) == {
        "350402": "梅列区", "350403": "三元区", "350421": "明溪县", "350423": "清流县",
        "350424": "宁化县", "350425": "大田县", "350426": "尤溪县", "350427": "沙县",
        "350428": "将乐县", "350429": "泰宁县", "350430": "建宁县", "350481": "永安市",
    }


def test_each_plan_cause_maps_to_its_channel_and_national_ones_to_none():
    mapped = dict(PovertyCause.objects.values_list("code", "channel_id"))
    assert {c: ch for c, ch in mapped.items() if ch} == GLOSSARY_CAUSE_CHANNELS
    assert {c for c, ch in mapped.items() if ch is None} == {"lack_land", "lack_water", "poor_transport"}


def test_nine_channels_and_four_safety_nets_with_departments():
    kinds = dict(ReliefChannel.objects.values_list("code", "kind"))
    assert sorted(c for c, k in kinds.items() if k == "channel") == sorted(GLOSSARY_CAUSE_CHANNELS.values())
    assert {c for c, k in kinds.items() if k == "guarantee"} == {"minimum_living", "medical_premium"}
    assert {c for c, k in kinds.items() if k == "support"} == {"raised_support", "centralized_support"}
    departments = dict(ReliefChannel.objects.values_list("code", "department"))
    assert departments["medical_aid"] == "市卫计委"
    assert departments["financial_support"] == "人行/银监"
    assert departments["disaster_relief"] == ""


def snapshot():
    return json.dumps(
        [list(m.objects.order_by("pk").values()) for m in (County, ReliefChannel, PovertyCause)], default=str
    )


def test_loading_twice_changes_nothing(capsys):
    entries = sum(len(json.loads(p.read_text("utf-8"))) for p in (settings.BASE_DIR / "fixtures").glob("*.json"))
    before, history_before = snapshot(), County.history.count()
    call_command("load_reference_data")
    assert f"新增 0 条，更新 0 条，未变 {entries} 条" in capsys.readouterr().out
    assert snapshot() == before
    assert County.history.count() == history_before  # nothing was saved


def test_loading_keeps_flags_the_bureau_set_and_restores_names():
    County.objects.filter(code="350424").update(is_provincial_key=True, name="宁化")
    call_command("load_reference_data", verbosity=0)
    county = County.objects.get(code="350424")
    assert (county.name, county.is_provincial_key) == ("宁化县", True)


def test_a_bad_fixture_loads_nothing(tmp_path):
    from django.core.management.base import CommandError

    (tmp_path / "1.json").write_text(json.dumps([
        {"model": "households.county", "pk": "350499", "fields": {"name": "新县"}},
        {"model": "households.county", "pk": "35049X", "fields": {"name": "坏县"}},
    ]), "utf-8")
    with pytest.raises(CommandError, match="未作任何修改"):
        call_command("load_reference_data", directory=str(tmp_path))
    assert not County.objects.filter(code="350499").exists()


def test_loading_gives_each_roles_group_the_pages_a_release_adds():
    """A group made before a release (here: without the projects' pages) gains them when the
    deployment runs load_reference_data after migrate, and loses what its role no longer holds."""
    from django.contrib.auth.models import Group, Permission

    from households.access import ROLE_PERMISSIONS

    clerks = Group.objects.create(name="county_clerk")
    clerks.permissions.set(Permission.objects.filter(codename__in=["view_household", "delete_household"]))
    call_command("load_reference_data", verbosity=0)
    held = {f"{p.content_type.app_label}.{p.codename}" for p in clerks.permissions.select_related("content_type")}
    assert held == set(ROLE_PERMISSIONS["county_clerk"])
    assert "projects.add_training" in held and "households.delete_household" not in held
    assert Group.objects.filter(name__in=["city_reviewer", "channel_department", "system_client"]).count() == 3
