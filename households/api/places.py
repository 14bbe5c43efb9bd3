"""The places and the reference data through the API: read by every role; townships and villages
added through services.place_save, which decides who may add them where."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets

from .. import services
from ..models import (
    AlleviationModel,
    County,
    PovertyCause,
    ReliefChannel,
    Township,
    Village,
)
from .filters import TownshipFilter, VillageFilter
from .serializers import (
    AlleviationModelSerializer,
    CountySerializer,
    PovertyCauseSerializer,
    ReliefChannelSerializer,
    TownshipSerializer,
    VillageSerializer,
)


class ReferenceViewSet(viewsets.ReadOnlyModelViewSet):
    """Reference data, short lists read by everyone, identified by their codes."""

    pagination_class = None
    lookup_value_regex = "[a-z_]+"


@extend_schema(tags=["行政区划"], description="附件所列 12 个县(市、区)，以 6 位区划代码为标识。")
class CountyViewSet(ReferenceViewSet):
    """The 12 county-level units of the annex."""

    queryset = County.objects.all()
    serializer_class = CountySerializer
    lookup_value_regex = r"\d{6}"


@extend_schema(tags=["参考数据"], description="致贫原因及其对应的帮扶渠道（代码见 GLOSSARY）。")
class PovertyCauseViewSet(ReferenceViewSet):
    queryset = PovertyCause.objects.all()
    serializer_class = PovertyCauseSerializer


@extend_schema(tags=["参考数据"], description="九个一批（kind=channel）与两保障（guarantee）、两供养（support）兜底措施，及其责任部门。")
class ReliefChannelViewSet(ReferenceViewSet):
    """The nine relief channels (kind `channel`) and the four safety nets (`guarantee`, `support`)."""

    queryset = ReliefChannel.objects.all()
    serializer_class = ReliefChannelSerializer


@extend_schema(tags=["参考数据"], description="八种模式（四.3）：扶贫模式，标记在帮扶措施、试点示范和扶贫车间上，供按模式统计；第八种由市扶贫办定义。")
class AlleviationModelViewSet(ReferenceViewSet):
    queryset = AlleviationModel.objects.all()
    serializer_class = AlleviationModelSerializer


class PlaceViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Places are read by all; created by those who may register households in the county."""

    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]

    def perform_create(self, serializer):
        place = serializer.Meta.model(**serializer.validated_data)
        serializer.instance = services.place_save(actor=self.request.user, place=place)


@extend_schema(tags=["行政区划"], description="乡镇（9 位代码＝县代码＋3 位）。有权在该县登记贫困户的用户可新增。")
class TownshipViewSet(PlaceViewSet):
    queryset = Township.objects.all()
    serializer_class = TownshipSerializer
    filterset_class = TownshipFilter
    lookup_value_regex = r"\d{9}"


@extend_schema(tags=["行政区划"], description="建制村（12 位代码＝乡镇代码＋3 位），含建档立卡贫困村、贫困空壳村标志。"
               "可按县(市、区)代码（county）或乡镇代码（township）筛选。有权在该县登记贫困户的用户可新增。")
class VillageViewSet(PlaceViewSet):
    queryset = Village.objects.all()
    serializer_class = VillageSerializer
    filterset_class = VillageFilter
    lookup_value_regex = r"\d{12}"
