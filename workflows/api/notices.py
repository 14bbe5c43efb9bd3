"""The notice lists (公示名单) through the REST API: the cases a place's list names, the lists posted,
and posting one (workflows/notices.py decides who, which cases and which day)."""

import datetime

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from common.api import read_query

from .. import notices, selectors
from ..access import in_county, postings_visible_to
from ..models import NOTICES, Kind, NoticePosting, State
from ..services import notice_days
from .serializers import CaseSerializer
from .views import query_parameters

NOTICE_STEPS = [(s, State(s).label) for s in State.values if s in NOTICES]
PLACE_HELP = "地点三选一：村（12位代码）、乡镇（9位）或县（6位）"


class NoticeQuery(serializers.Serializer):
    kind = serializers.ChoiceField(Kind.choices)
    step = serializers.ChoiceField(NOTICE_STEPS, help_text="公示环节：识别有 village_notice、township_notice、announced，退出只有 village_notice")
    village = serializers.RegexField(r"^\d{12}$", required=False, help_text=PLACE_HELP)
    township = serializers.RegexField(r"^\d{9}$", required=False, help_text=PLACE_HELP)
    county = serializers.RegexField(r"^\d{6}$", required=False, help_text=PLACE_HELP)


class PostInput(NoticeQuery):
    on = serializers.DateField(help_text="张贴日期：所列各户的公示期自此日起算；不能晚于今天，也不能早于该环节的办理日期")


class PostingQuery(serializers.Serializer):
    kind = serializers.ChoiceField(Kind.choices, required=False)
    step = serializers.ChoiceField(NOTICE_STEPS, required=False)
    county = serializers.RegexField(r"^\d{6}$", required=False)


class NoticePostingSerializer(serializers.ModelSerializer):
    cases = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="所列流程")
    notice_start = serializers.DateField(source="posted_on", read_only=True, help_text="所列各户公示期的第一天")
    notice_end = serializers.SerializerMethodField(help_text="公示期满之日，此日起可办理下一环节")

    class Meta:
        model = NoticePosting
        fields = ["id", "kind", "step", "village", "township", "county", "posted_on", "posted_by_name", "posted_at",
                  "notice_start", "notice_end", "cases"]

    def get_notice_end(self, posting) -> str:
        return str(posting.posted_on + datetime.timedelta(days=notice_days()))


@extend_schema(tags=["识别与退出流程"], description=(
    "公示名单（两公示一公告）：某村、乡镇或县当前处于某一公示环节的流程（cases/），已张贴的名单（列表），以及张贴名单"
    "（post/）：所列各户该环节的公示期（WORKFLOW_NOTICE_DAYS 天）自张贴之日起算，此前按办理该环节之日起算。"
    "同一流程同一环节只张贴一次，之后再张贴同一地点的名单只列新进入该环节的流程。地点不在调用者查看范围内为 404，"
    "不能代该级办理为 403，环节不是该流程的公示、没有待张贴的流程、日期晚于今天或早于该环节办理日期为 400。"))
class NoticePostingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NoticePostingSerializer
    filter_backends = []

    def get_queryset(self):
        postings = postings_visible_to(self.request.user).prefetch_related("cases").order_by("id")
        if self.action != "list":
            return postings
        query = read_query(PostingQuery, self.request)
        if "kind" in query:
            postings = postings.filter(kind=query["kind"])
        if "step" in query:
            postings = postings.filter(step=query["step"])
        if "county" in query:
            postings = postings.filter(in_county(query["county"]))
        return postings

    @extend_schema(parameters=query_parameters(PostingQuery))
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=query_parameters(NoticeQuery), responses=CaseSerializer(many=True),
                   summary="公示名单所列流程")
    @action(detail=False, pagination_class=None)
    def cases(self, request):
        cases = notices.notice_cases(user=request.user, **read_query(NoticeQuery, request))
        return Response(CaseSerializer(selectors.case_detail(cases), many=True,
                                       context=self.get_serializer_context()).data)

    @extend_schema(request=PostInput, responses={201: NoticePostingSerializer}, summary="张贴公示名单")
    @action(detail=False, methods=["post"], url_path="post", pagination_class=None)
    def post_list(self, request):
        data = PostInput(data=request.data)
        data.is_valid(raise_exception=True)
        posting = notices.notice_post(actor=request.user, **data.validated_data)
        return Response(NoticePostingSerializer(posting, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)
