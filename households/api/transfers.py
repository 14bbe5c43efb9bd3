"""Household transfers (迁移) through the REST API: the list scoped to the sending and receiving
counties (the city reviewer: all), a release, and the receiving county's accept or refuse. Thin
views: an input serializer checks the shape, households/services/transfers.py who may and every rule."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import access, services
from ..models import Household, Transfer, Village


class TransferFilter(django_filters.FilterSet):
    county = django_filters.CharFilter(method="filter_county", label="迁出或迁入县(市、区)代码")

    class Meta:
        model = Transfer
        fields = ["household", "state", "reason", "county"]

    def filter_county(self, queryset, name, value):
        return queryset.filter(from_village__township__county_id=value) | queryset.filter(
            to_village__township__county_id=value)


class TransferSerializer(serializers.ModelSerializer):
    household_number = serializers.CharField(source="household.number", read_only=True)
    from_county = serializers.CharField(read_only=True)
    to_county = serializers.CharField(read_only=True)
    released_by = serializers.SlugRelatedField("username", read_only=True)
    decided_by = serializers.SlugRelatedField("username", read_only=True)

    class Meta:
        model = Transfer
        fields = ["id", "household", "household_number", "from_county", "from_village", "to_county", "to_village",
                  "reason", "settlement", "note", "state", "released_by", "released_at", "decided_by", "decided_at",
                  "refusal_reason"]
        read_only_fields = fields


class ReleaseInput(serializers.Serializer):
    household = serializers.PrimaryKeyRelatedField(queryset=Household.objects.none(),
                                                   help_text="贫困户 id")
    to_village = serializers.PrimaryKeyRelatedField(queryset=Village.objects.all(), help_text="迁入村的区划代码")
    reason = serializers.ChoiceField(Transfer.Reason.choices, help_text="relocation、family 或 other")
    settlement = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                       help_text="集中安置小区（易地扶贫搬迁时）")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:  # None: the schema's generator, which reads the fields alone
            # A household the caller does not see "does not exist" (400), as in every other write.
            self.fields["household"].queryset = access.households_visible_to(user)


class RefuseInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text="拒收原因（必填）")


@extend_schema(tags=["迁移"], description=(
    "贫困户迁移（易地扶贫搬迁、投亲靠友等）：贫困户所在村只能由迁移改变。同一县内由该县录入员一步办结（即时接收）；跨县由迁出县录入员迁出，"
    "迁入县录入员接收或拒收（须填写原因），接收前该户仍属迁出县，迁移对两县都可见。迁入本村、重复迁出、迁出已清退户、"
    "迁出县自行接收、再次办理已接收或已拒收的迁移均为 400 并指明字段；越权为 403，看不到的迁移为 404。"))
class TransferViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TransferSerializer
    filterset_class = TransferFilter
    ordering_fields = ["id", "released_at", "decided_at"]
    ordering = ["id"]

    def get_queryset(self):
        return access.transfers_visible_to(self.request.user).with_places().order_by("id")

    def answer(self, transfer, status_code=200):
        transfer = self.get_queryset().get(pk=transfer.pk)
        return Response(TransferSerializer(transfer, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(request=ReleaseInput, responses={201: TransferSerializer}, summary="迁出（同县即时接收）")
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def release(self, request):
        data = ReleaseInput(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        transfer = services.transfer_release(actor=request.user, **data.validated_data)
        return self.answer(transfer, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: TransferSerializer}, summary="迁入县接收")
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def accept(self, request, pk=None):
        return self.answer(services.transfer_accept(actor=request.user, transfer=self.get_object()))

    @extend_schema(request=RefuseInput, responses={200: TransferSerializer}, summary="迁入县拒收（须填写原因）")
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def refuse(self, request, pk=None):
        transfer = self.get_object()
        data = RefuseInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self.answer(services.transfer_refuse(actor=request.user, transfer=transfer,
                                                    reason=data.validated_data["reason"]))
