import datetime

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric

from households.validators import mask_id, mask_phone, parse_resident_id, validate_member_set
from tests.factories import resident_id


def test_resident_id_gives_birth_date_and_sex():
    rid = parse_resident_id(resident_id(birth=datetime.date(1982, 3, 9), sex="female"))
    assert rid.birth_date == datetime.date(1982, 3, 9)
    assert rid.sex == "female"


def test_resident_id_is_compacted_and_x_upper_cased():
    number = "11010519491231002X"  # the standard's own example
    rid = parse_resident_id(" " + number.lower() + " ")
    assert rid.number == number
    assert rid.sex == "female"


def test_people_born_before_their_address_code_existed_are_accepted():
    # 宁化县's code dates from 1983; stdnum's validate() would refuse this 五保 elder.
    rid = parse_resident_id(resident_id(birth=datetime.date(1938, 2, 1), prefix="350424"))
    assert rid.birth_date.year == 1938


@pytest.mark.parametrize(
    "number, code",
    [
        ("35042419700517001", "id_length"),
        ("3504241970051700111", "id_length"),
        ("35042419700517A011", "id_format"),
        ("999999197005170011", "id_checksum"),
        ("35042419990231001" + ric.calc_check_digit("35042419990231001?"), "id_birth_date"),
    ],
)
def test_bad_resident_ids_are_refused_with_their_reason(number, code):
    with pytest.raises(ValidationError) as e:
        parse_resident_id(number)
    assert e.value.code == code


def test_wrong_checksum_is_refused():
    good = resident_id()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationError) as e:
        parse_resident_id(bad)
    assert e.value.code == "id_checksum"
    assert "校验码" in e.value.message


def test_birth_date_in_the_future_is_refused():
    number = resident_id(birth=datetime.date(2030, 1, 1))
    with pytest.raises(ValidationError) as e:
        parse_resident_id(number, today=datetime.date(2026, 1, 1))
    assert e.value.code == "id_birth_date"


def test_unknown_address_code_is_refused():
    with pytest.raises(ValidationError) as e:
        parse_resident_id(resident_id(prefix="999999"))
    assert e.value.code == "id_address"


@pytest.mark.parametrize(
    "relations, code",
    [(["spouse", "child"], "no_head"), (["head", "head"], "two_heads")],
)
def test_member_set_needs_exactly_one_head(relations, code):
    with pytest.raises(ValidationError) as e:
        validate_member_set(relations, [resident_id() for _ in relations])
    assert e.value.error_dict["relation"][0].code == code


def test_member_set_refuses_a_person_twice():
    number = resident_id()
    with pytest.raises(ValidationError) as e:
        validate_member_set(["head", "child"], [number, number])
    assert "id_number" in e.value.error_dict


def test_mask_id_keeps_prefix_and_last_four():
    assert mask_id("350424198203090023") == "350424********0023"


@pytest.mark.parametrize(("phone", "shown"), [
    ("13812341234", "138****1234"),
    ("0598-8222222", "059****2222"),
    ("123456", "**3456"),
    ("1234", "****"),
    ("", ""),
])
def test_mask_phone_keeps_the_last_four_digits(phone, shown):
    assert mask_phone(phone) == shown
