"""The department lists through the API: POST /api/v1/department-lists/ (multipart: file, kind,
list_date, keep_valid) uploads one and starts its matching (a job), GET lists and retrieves those
the caller reads (access.lists_visible_to). The findings are the data-quality checks' (audit/findings/)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from common.api import read_query

from . import services
from .access import lists_visible_to
from .kinds import ListKind
from .models import DepartmentList


class RowProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="表格行号")
    column = serializers.CharField()
    value = serializers.CharField()
    reason = serializers.CharField()


class DepartmentListSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    uploaded_by = serializers.CharField(source="uploaded_by.username", default=None, allow_null=True, read_only=True)
    job = serializers.UUIDField(source="job_id", read_only=True, allow_null=True,
                                help_text="比对任务（/api/v1/jobs/{id}/），显示进度和结果")
    problems = RowProblemSerializer(many=True, read_only=True,
                                    help_text="未通过校验而未比对的行（keep_valid 时），最多 500 行")

    class Meta:
        model = DepartmentList
        fields = ["id", "kind", "kind_label", "list_date", "uploaded_by", "uploaded_at", "file_name", "rows",
                  "refused_rows", "problems", "job", "matched_at", "findings"]


class DepartmentListInput(serializers.Serializer):
    file = serializers.FileField(help_text="名单 .xlsx（表头见各类名单的模板）")
    # Any text: an unknown kind is the service's to refuse, with the kinds it knows.
    kind = serializers.CharField(max_length=32, help_text="名单类别：" + "、".join(f"{k} {v}" for k, v in ListKind.choices))
    list_date = serializers.DateField(help_text="名单日期，不能晚于今天")
    keep_valid = serializers.BooleanField(default=False,
                                          help_text="有身份号码未通过校验的行时，只保存并比对通过校验的行（否则整个名单被拒绝）")


class ListQuery(serializers.Serializer):
    kind = serializers.ChoiceField(ListKind.choices, required=False)


@extend_schema(tags=["部门名单比对"], description=(
    "部门名单（低保、五保、残疾人、在校生、死亡、财政供养、车辆、工商）：上传后保存为数据（从不改动贫困户记录），"
    "并作为后台任务与建档立卡库按公民身份号码比对，发现的问题见 /api/v1/audit/findings/（检查项 list_…）。"
    "低保、五保名单由民政部门上传，残疾人名单由残联，在校生名单由教育部门，其余由市审核员代为上传；审核员可上传任何类别。"
    "未知类别、缺少身份号码列、未来日期、无权上传的类别均返回 400 或 403 并说明原因；身份号码未通过校验的行逐行列出，"
    "除非 keep_valid=true（只保存通过校验的行），整个名单不保存。"))
class DepartmentListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DepartmentListSerializer
    filter_backends = []
    query_parameters = list(ListQuery().fields)

    def get_queryset(self):
        lists = lists_visible_to(self.request.user).select_related("uploaded_by").order_by("-id")
        if self.action == "list":
            lists = lists.filter(**read_query(ListQuery, self.request))
        return lists

    @extend_schema(request={"multipart/form-data": DepartmentListInput}, responses={201: DepartmentListSerializer})
    def create(self, request):
        data = DepartmentListInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        department_list = services.department_list_upload(
            actor=request.user, kind=data.validated_data["kind"], list_date=data.validated_data["list_date"],
            name=upload.name, content=upload.read(), keep_valid=data.validated_data["keep_valid"])
        return Response(DepartmentListSerializer(department_list).data, status=status.HTTP_201_CREATED)
