"""The workflows and the data-quality checks through the REST API. Thin views: an input serializer
checks the shape, workflows/services.py the turn, the role and the rules, an output serializer
answers; every list is scoped (workflows/access.py, households/access.py) and refuses a query
parameter it does not know."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from common.api import Pagination, read_query
from households import access
from households.models import County
from households.services.jobs import audit_findings
from jobs.api import BackgroundJobSerializer, job_accepted
from jobs.models import Job
from plans.close_selectors import explained_by_county, with_explanations

from .. import selectors, services
from ..access import cases_visible_to
from ..models import FINAL, Objection
from .serializers import (
    AdvanceInput,
    AuditFindingSerializer,
    AuditQuery,
    CaseQuery,
    CaseSerializer,
    CountyCountSerializer,
    DecideInput,
    ExitInput,
    IdentificationInput,
    InTrayQuery,
    InTraySerializer,
    ObjectionInput,
    OnSerializer,
    OverrideInput,
    PendingExitSerializer,
    PendingQuery,
    RegisterInput,
    RejectInput,
    ReturnInput,
    VerifyInput,
)


def query_parameters(serializer_class) -> list[OpenApiParameter]:
    """The query parameters of a view, from the serializer that reads them."""
    return [OpenApiParameter(name, str, description=str(field.help_text or ""))
            for name, field in serializer_class().fields.items()]




# ---------------------------------------------------------------- views


def step_action(input_class, *, status_code=200, **kwargs):
    """A POST on one case that takes a step: documented with its input and the case it answers."""
    return lambda view: extend_schema(request=input_class, responses={status_code: CaseSerializer}, **kwargs)(
        action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])(view))


@extend_schema(tags=["识别与退出流程"], description=(
    "贫困户识别（农户申请→村民代表评议→村公示→乡镇审核→乡镇公示→县审定→县公告→建档）与退出（预退出→入户核实→户签字认可→"
    "村公示→乡镇审核→县审批、脱贫销号）。每一步检查办理人（县扶贫办录入员代村、乡镇、县办理；审核员放行未通过核实的退出）、"
    "顺序和公示期（默认7天，期内无成立或未处理的异议）。只返回调用者可查看的县的流程；越权为 403，顺序或内容不符为 400。"))
class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CaseSerializer
    filter_backends = []

    def get_queryset(self):
        cases = selectors.case_detail(cases_visible_to(self.request.user)).order_by("id")
        if self.action != "list":
            return cases
        query = read_query(CaseQuery, self.request)
        if "kind" in query:
            cases = cases.filter(kind=query["kind"])
        if "state" in query:
            cases = cases.filter(state=query["state"])
        if "county" in query:
            cases = cases.filter(village__township__county_id=query["county"])
        if "year" in query:
            cases = cases.filter(year=query["year"])
        if "open" in query:
            cases = cases.exclude(state__in=FINAL) if query["open"] else cases.filter(state__in=FINAL)
        return cases

    @extend_schema(parameters=query_parameters(CaseQuery))
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def answer(self, case, status_code=200):
        case = self.get_queryset().get(pk=case.pk)
        return Response(CaseSerializer(case, context=self.get_serializer_context()).data, status=status_code)

    def read(self, input_class, **kwargs):
        data = input_class(data=self.request.data, **kwargs)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    @extend_schema(request=IdentificationInput, responses={201: CaseSerializer}, summary="农户申请（识别）")
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def identification(self, request):
        data = self.read(IdentificationInput)
        return self.answer(services.identification_apply(actor=request.user, **data), status.HTTP_201_CREATED)

    @extend_schema(request=ReturnInput, responses={201: CaseSerializer}, summary="返贫识别申请")
    @action(detail=False, methods=["post"], url_path="return", pagination_class=None, filter_backends=[])
    def return_(self, request):
        data = self.read(ReturnInput, user=request.user)
        return self.answer(services.return_apply(actor=request.user, **data), status.HTTP_201_CREATED)

    @extend_schema(request=ExitInput, responses={201: CaseSerializer}, summary="预退出")
    @action(detail=False, methods=["post"], url_path="exit", pagination_class=None, filter_backends=[])
    def exit(self, request):
        data = self.read(ExitInput, user=request.user)
        return self.answer(services.exit_propose(actor=request.user, **data), status.HTTP_201_CREATED)

    @step_action(AdvanceInput, summary="办理下一环节（评议、审核、审定、签字、公示、公告）")
    def advance(self, request, pk=None):
        case = self.get_object()
        return self.answer(services.case_advance(case=case, actor=request.user, **self.read(AdvanceInput)))

    @step_action(VerifyInput, summary="入户核实（收入对照贫困线、两不愁三保障）")
    def verify(self, request, pk=None):
        case = self.get_object()
        services.exit_verify(case=case, actor=request.user, **self.read(VerifyInput))
        return self.answer(case)

    @step_action(OverrideInput, summary="审核员放行未通过入户核实的退出")
    def override(self, request, pk=None):
        case = self.get_object()
        services.verification_override(case=case, actor=request.user, **self.read(OverrideInput))
        return self.answer(case)

    @step_action(RegisterInput, summary="建档（识别的最后一步）")
    def register(self, request, pk=None):
        case = self.get_object()
        services.identification_register(case=case, actor=request.user, **self.read(RegisterInput))
        return self.answer(case)

    @step_action(OnSerializer, summary="县审批、脱贫销号（退出的最后一步，写入脱贫记录）")
    def close(self, request, pk=None):
        case = self.get_object()
        services.exit_close(case=case, actor=request.user, **self.read(OnSerializer))
        return self.answer(case)

    @step_action(RejectInput, summary="终止流程（未通过）")
    def reject(self, request, pk=None):
        case = self.get_object()
        return self.answer(services.case_reject(case=case, actor=request.user, **self.read(RejectInput)))

    @step_action(ObjectionInput, status_code=201, summary="登记公示期异议")
    def objections(self, request, pk=None):
        case = self.get_object()
        data = self.read(ObjectionInput)
        services.objection_raise(case=case, actor=request.user, content=data["content"], raised_by=data["raised_by"],
                                 on=data.get("raised_on"))
        return self.answer(case, status.HTTP_201_CREATED)

    @extend_schema(request=DecideInput, responses={200: CaseSerializer}, summary="处理公示期异议")
    @action(detail=True, methods=["post"], url_path=r"objections/(?P<objection>[0-9]+)/decide",
            pagination_class=None, filter_backends=[])
    def decide(self, request, pk=None, objection=None):
        case = self.get_object()
        found = get_object_or_404(Objection.objects.filter(step__case=case), pk=int(objection))
        data = self.read(DecideInput)
        services.objection_decide(objection=found, actor=request.user, outcome=data["outcome"],
                                  decision=data["decision"], on=data.get("decided_on"))
        return self.answer(case)


@extend_schema(tags=["识别与退出流程"], description=(
    "待办：调用者可查看的未办结流程各在等谁（村、乡镇、县、审核员，或公示期中）、办什么；以及可查看的县超过 HELPER_VISIT_DAYS"
    "（默认90）天未走访的户（kind 为 visit，等村办理：case、state、next_state 为 null，household 为该户 id，who 为户编号，"
    "since 为最近走访日期或现帮扶起始日期）。counts 按等待对象计数（含帮扶走访）；?kind=visit 只列帮扶走访。"))
class InTrayViewSet(viewsets.ViewSet):
    @extend_schema(parameters=query_parameters(InTrayQuery), responses=InTraySerializer)
    def list(self, request):
        tasks, counts = selectors.in_tray(user=request.user, **read_query(InTrayQuery, request))
        return Response(InTraySerializer({"counts": counts, "results": tasks}).data)


@extend_schema(tags=["识别与退出流程"], description="已预退出、尚未批准销号的户：按县和脱贫年度计数。批准前不计入减贫任务完成数。")
class PendingExitViewSet(viewsets.ViewSet):
    @extend_schema(parameters=query_parameters(PendingQuery), responses=PendingExitSerializer(many=True))
    def list(self, request):
        query = read_query(PendingQuery, request)
        counties = access.counties_visible_to(request.user)
        if "county" in query:
            counties = counties.filter(pk=query["county"])
        names = dict(counties.values_list("code", "name"))
        rows = selectors.pending_exits(counties=counties, year=query.get("year"))
        return Response([{"county": county, "county_name": names[county], "year": year, **counts}
                         for (county, year), counts in sorted(rows.items())])


class FindingPagination(Pagination):
    """The API's page numbers (page, page_size) over a list of findings, without the cursor walk,
    which needs a queryset in primary-key order."""

    def paginate_queryset(self, queryset, request, view=None):
        return PageNumberPagination.paginate_queryset(self, queryset, request, view)

    def get_paginated_response(self, data):
        return PageNumberPagination.get_paginated_response(self, data)

    def get_schema_operation_parameters(self, view):
        return PageNumberPagination.get_schema_operation_parameters(self, view)


@extend_schema(tags=["数据核查"], description=(
    "数据核查：每条问题一行，附该户页面链接；只含调用者可查看的户。检查项可在设置 AUDIT_DISABLED_CHECKS 中关闭。"
    "counts/ 按县计数。所查的户超过 JOB_AUDIT_HOUSEHOLDS（默认 5000）时作为后台任务：返回 202 和任务"
    "（/api/v1/jobs/{id}/），任务完成后再次请求即得结果（AUDIT_REUSE_MINUTES 分钟内沿用同一次核查）。"))
class AuditFindingViewSet(viewsets.GenericViewSet):
    pagination_class = FindingPagination
    filter_backends = []
    serializer_class = AuditFindingSerializer

    def findings(self):
        """The findings and their counts, or the job that is finding them (households.services.jobs.audit_findings)."""
        query = read_query(AuditQuery, self.request)
        if "county" in query and not County.objects.filter(pk=query["county"]).exists():
            raise ValidationError({"county": [f"未知的县(市、区)代码：{query['county']}"]})
        return audit_findings(actor=self.request.user, county=query.get("county"), check=query.get("check"))

    @extend_schema(parameters=query_parameters(AuditQuery), responses={200: AuditFindingSerializer(many=True),
                                                                       202: BackgroundJobSerializer})
    def list(self, request):
        found = self.findings()
        if isinstance(found, Job):
            return job_accepted(request, found)
        return self.get_paginated_response(with_explanations(self.paginate_queryset(found[0]), user=request.user))

    @extend_schema(parameters=query_parameters(AuditQuery), responses={200: CountyCountSerializer(many=True),
                                                                       202: BackgroundJobSerializer})
    @action(detail=False, pagination_class=None)
    def counts(self, request):
        found = self.findings()
        if isinstance(found, Job):
            return job_accepted(request, found)
        explained = explained_by_county(with_explanations(found[0], user=request.user))
        return Response([{**row, "explained": explained.get(row["county"], 0)} for row in found[1]])
