"""The places and the eight models: who adds a township or a village, who sets the flags the plan
counts, who names the eighth model."""

from django.db import transaction

from common.refusals import Refused

from .. import access
from ..models import AlleviationModel, County, RegistryModel, Township, Village
from .households import stamp

BUREAU_DEFINED = "bureau_defined"  # the eighth model (四.3): the bureau names it


def _save(actor, record: RegistryModel) -> RegistryModel:
    with transaction.atomic():
        record.full_clean()
        stamp(actor, record)
        record.save()
    return record


def place_save(*, actor, place: County | Township | Village) -> County | Township | Village:
    """Add a township or a village in a county the actor may register households in (its code
    extends its parent's, so it can never drift to another county), or set a place's flags and
    names: the city reviewer's (access.may_flag_places). Counties come from fixtures/ only."""
    adding = place._state.adding
    if isinstance(place, County):
        if adding and not actor.is_superuser:
            raise Refused("县(市、区)由参考数据载入，不能新增")
    if not adding:
        if not access.may_flag_places(actor):
            raise Refused(f"您不能修改{place._meta.verbose_name}")
        return _save(actor, place)
    if isinstance(place, Township):
        access.require_county_writable(actor, place.county_id, field="county", what="乡镇或村")
    elif isinstance(place, Village):
        county = place.township_id[:6] if place.township_id else None
        access.require_county_writable(actor, county, field="township", what="乡镇或村")
    return _save(actor, place)


def place_delete(*, actor, place: County | Township | Village) -> None:
    """Only a superuser deletes a place (one entered by mistake, with nothing in it)."""
    if not actor.is_superuser:
        raise Refused(f"您不能删除{place._meta.verbose_name}")
    place.delete()


def alleviation_model_save(*, actor, model: AlleviationModel) -> AlleviationModel:
    """The eight models are reference data (fixtures/); the eighth is the bureau's to name (四.3):
    the city reviewer renames it, and changes nothing else. A superuser keeps the list."""
    if not actor.is_superuser:
        stored = AlleviationModel.objects.filter(pk=model.pk).first()
        if stored is None or model.pk != BUREAU_DEFINED or not access.sees_whole_city(actor):
            raise Refused("只有第八种模式的名称由市扶贫办（市农业局审核员）定义")
        if model.position != stored.position:
            raise Refused("只能修改名称", field="position")
    return _save(actor, model)


def alleviation_model_delete(*, actor, model: AlleviationModel) -> None:
    if not actor.is_superuser:
        raise Refused("扶贫模式不能删除")
    model.delete()
