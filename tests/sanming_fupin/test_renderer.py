"""The API's JSON is written by orjson (common.renderers.JSONRenderer) and must read byte for byte as DRF's
own renderer writes it: other systems parse these answers."""

import datetime
import decimal
import json
import uuid

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFRenderer
from rest_framework.utils.serializer_helpers import ReturnDict

from common.renderers import JSONRenderer

UTC = datetime.UTC
PAYLOAD = {
    "count": 2,
    "results": [
        {"number": "350424101201-00001", "income": decimal.Decimal("4737.00"), "born": datetime.date(1971, 2, 19),
         "at": datetime.datetime(2026, 12, 2, 14, 10, 0, 123456, tzinfo=UTC),
         "local": datetime.datetime(2026, 12, 2, 22, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=8))),
         "when": datetime.time(9, 30), "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
         "label": gettext_lazy("贫困户"), "share": 0.25, "ok": True, "none": None, "tuple": (1, 2)},
        {"name": "林\u2028荣\u2029生", "members": [], 3: "a key that is a number"},
    ],
}


def test_answers_as_drf_writes_them():
    ours = JSONRenderer().render(PAYLOAD, "application/json")
    assert ours == DRFRenderer().render(PAYLOAD, "application/json")
    assert json.loads(ours)["results"][0]["at"] == "2026-12-02T14:10:00.123456Z"
    assert b"\\u2028" in ours and "\u2028".encode() not in ours


def test_returned_dicts_and_an_empty_answer():
    data = ReturnDict({"detail": gettext_lazy("未找到。")}, serializer=None)
    assert JSONRenderer().render(data) == DRFRenderer().render(data)
    assert JSONRenderer().render(None) == b""


def test_an_indented_answer_is_drfs():
    ours = JSONRenderer().render(PAYLOAD, "application/json; indent=2")
    assert ours == DRFRenderer().render(PAYLOAD, "application/json; indent=2")
    assert b"\n  " in ours


def test_a_number_orjson_cannot_write_falls_back_to_drf():
    assert JSONRenderer().render({"n": 2**70}) == b'{"n":1180591620717411303424}'


def test_the_api_answers_through_it(api_client):
    response = api_client.get("/api/v1/households/?page_size=1", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert isinstance(response.accepted_renderer, JSONRenderer)
