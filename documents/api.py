"""The printed documents through the API (/api/v1/documents/…): each GET answers the PDF, a POST to
village-cards/ starts the job that prints every 帮扶明白卡 of a village (docs/printing.md). The admin and
the dashboards link here too: a signed-in user's session opens them as a token does.

A household, place, county or close outside the caller's scope is a 404 (selectors.py), a step that
is no notice of the kind a 400 naming `step`, as the notice lists' own API answers."""

from urllib.parse import quote

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from common.api import read_query
from jobs.api import BackgroundJobSerializer, job_accepted
from workflows.api.notices import NOTICE_STEPS
from workflows.models import Kind

from . import services

PDF = "application/pdf"
TAGS = ["打印文书"]


def door_of(request) -> str:
    """How the print is logged: `api` for a token's request, `page` for a signed-in user's session
    (the admin's and the dashboards' links)."""
    return "api" if request.auth is not None else "page"


def pdf_response(printed: services.Printed) -> HttpResponse:
    response = HttpResponse(printed.content, content_type=PDF)
    # Opened in the browser's viewer (inline); its name, in Chinese, as RFC 6266 spells it.
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(printed.name)}"
    return response


class CardQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2014, max_value=2030, required=False,
                                    help_text="列出哪一年的帮扶措施；默认为打印之日所在年度及以前有措施的最近一年")


class NoticeListQuery(serializers.Serializer):
    kind = serializers.ChoiceField(Kind.choices)
    step = serializers.ChoiceField(NOTICE_STEPS, help_text="公示环节：识别有 village_notice、township_notice，退出只有 village_notice")
    village = serializers.RegexField(r"^\d{12}$", required=False, help_text="村（12位代码）或乡镇二选一")
    township = serializers.RegexField(r"^\d{9}$", required=False, help_text="乡镇（9位代码）或村二选一")

    def validate(self, data):
        if bool(data.get("village")) == bool(data.get("township")):
            raise serializers.ValidationError({"village": "须指定一个地点：村（village）或乡镇（township）之一"})
        return data


class AnnouncementQuery(serializers.Serializer):
    county = serializers.RegexField(r"^\d{6}$", help_text="县(市、区)代码")
    kind = serializers.ChoiceField(Kind.choices, help_text="identification：县审定后处于县公告环节的识别；exit：县审批销号的退出")
    year = serializers.IntegerField(min_value=2014, max_value=2030, required=False,
                                    help_text="退出公告：脱贫年度（默认全部）")


class VillageCardsInput(serializers.Serializer):
    village = serializers.RegexField(r"^\d{12}$", help_text="村（12位代码）")


PDF_RESPONSES = {(200, PDF): OpenApiTypes.BINARY}


@extend_schema(tags=TAGS, summary="帮扶明白卡（PDF）", parameters=[CardQuery], responses=PDF_RESPONSES,
               description="一户一页：户主、成员、类别、致贫原因、当年帮扶措施、当前帮扶责任人及电话、适用政策。"
                           "身份号码和帮扶责任人电话按权限脱敏；每次打印记入导出记录（print.card）。看不到的户为 404。")
class CardView(APIView):
    @extend_schema(operation_id="documents_card")
    def get(self, request, pk: int):
        query = read_query(CardQuery, request)
        return pdf_response(services.card_print(actor=request.user, household=pk, door=door_of(request), **query))


@extend_schema(tags=TAGS, summary="扶贫手册（PDF）", responses=PDF_RESPONSES,
               description="打印之日的户和成员、致贫原因、历任帮扶责任人、逐年帮扶措施及五项工程落实情况、年度收入与贫困线对照、"
                           "脱贫和返贫。身份号码按权限脱敏；每次打印记入导出记录（print.handbook）。看不到的户为 404。")
class HandbookView(APIView):
    @extend_schema(operation_id="documents_handbook")
    def get(self, request, pk: int):
        read_query(serializers.Serializer, request)
        return pdf_response(services.handbook_print(actor=request.user, household=pk, door=door_of(request)))


@extend_schema(tags=TAGS, summary="公示名单（PDF）", parameters=[NoticeListQuery], responses=PDF_RESPONSES,
               description="某村或乡镇当前处于某一公示环节的全部流程：户、家庭成员、类别、致贫原因、公示期起止、异议受理（NOTICE_OBJECTIONS_TO）、"
                           "签字栏。不含任何身份号码。地点看不到为 404，环节不是该流程的公示为 400。")
class NoticeListView(APIView):
    @extend_schema(operation_id="documents_notice_list")
    def get(self, request):
        query = read_query(NoticeListQuery, request)
        return pdf_response(services.notice_list_print(actor=request.user, door=door_of(request), **query))


@extend_schema(tags=TAGS, summary="县公告（PDF）", parameters=[AnnouncementQuery], responses=PDF_RESPONSES,
               description="县的决定环节的公告：识别为县审定后处于县公告环节的流程，退出为县审批、脱贫销号的流程（可按年度）。"
                           "不含任何身份号码。看不到的县为 404。")
class AnnouncementView(APIView):
    @extend_schema(operation_id="documents_announcement")
    def get(self, request):
        query = read_query(AnnouncementQuery, request)
        return pdf_response(services.announcement_print(actor=request.user, door=door_of(request), **query))


@extend_schema(tags=TAGS, summary="年度数据锁定（PDF）", responses=PDF_RESPONSES,
               description="县-年度（如 350424-2016，与 /api/v1/closes/ 的编号相同）：锁定时的数据、规范JSON的SHA-256、状态和办理过程；"
                           "尚未锁定的为当前数据。看不到的县为 404。")
class CloseView(APIView):
    @extend_schema(operation_id="documents_close")
    def get(self, request, key: str):
        read_query(serializers.Serializer, request)
        return pdf_response(services.close_print(actor=request.user, key=key, door=door_of(request)))


@extend_schema(tags=TAGS, summary="打印全村帮扶明白卡（后台任务）", request=VillageCardsInput,
               responses={202: BackgroundJobSerializer},
               description="一村各户（已清退的除外）的帮扶明白卡合成一个 PDF，作为后台任务生成：返回 202 和任务（/api/v1/jobs/{id}/），"
                           "完成后从任务的 result 下载。看不到的村为 404。")
class VillageCardsView(APIView):
    @extend_schema(operation_id="documents_village_cards")
    def post(self, request):
        data = VillageCardsInput(data=request.data)
        data.is_valid(raise_exception=True)
        return job_accepted(request, services.village_cards_job_start(
            actor=request.user, village=data.validated_data["village"], door=door_of(request)))
