"""Member changes (成员变动) in the admin: the household's page lists them in order, and a clerk records
one from there, on a form that hands it to households.services.member_change_record. What the
service refuses is shown on the form, with nothing written."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from common.admin import ScopedAdmin
from common.refusals import Refused

from .. import access, selectors, services
from ..models import ChangeKind, CorrectedField, Household, HouseholdCategory, Member, MemberChange, PovertyCause
from ..validators import mask_id
from .base import county_filter
from .books import RecordBookAdminMixin

Relation = Member.Relation


class MemberChangeForm(forms.Form):
    """One form for every kind; each kind reads the fields it needs (the help texts say which)."""

    kind = forms.ChoiceField(label="变动类型", choices=ChangeKind.choices)
    date = forms.DateField(label="变动日期", help_text="YYYY-MM-DD")
    reason = forms.CharField(label="变动原因", max_length=200, required=False)
    member = forms.ModelChoiceField(Member.objects.none(), label="成员", required=False,
                                    help_text="离开、户主变更（原户主）、信息更正的成员")
    new_head = forms.ModelChoiceField(Member.objects.none(), label="新户主", required=False,
                                      help_text="户主离开、户主变更、户主分出时必填")
    destination = forms.CharField(label="迁往何处", max_length=200, required=False, help_text="其他迁出时必填")
    other_household = forms.ModelChoiceField(Household.objects.none(), label="另一户", required=False,
                                             help_text="婚出迁入的登记户；并户时并入本户的户")
    relation = forms.ChoiceField(label="与户主关系", choices=[("", "---------"), *Relation.choices], required=False,
                                 help_text="婚出：在另一户中的关系；户主变更：原户主的新关系")
    person_name = forms.CharField(label="新成员姓名", max_length=50, required=False)
    person_id_number = forms.CharField(label="新成员公民身份号码", max_length=18, required=False)
    person_relation = forms.ChoiceField(label="新成员与户主关系", choices=[("", "---------"), *Relation.choices],
                                        required=False)
    person_labor = forms.ChoiceField(label="新成员劳动能力", choices=Member.Labor.choices, required=False,
                                     initial=Member.Labor.NONE)
    field = forms.ChoiceField(label="更正项目", choices=[("", "---------"), *CorrectedField.choices], required=False)
    new_value = forms.CharField(label="更正后的值", max_length=50, required=False)
    members = forms.ModelMultipleChoiceField(Member.objects.none(), label="分户的成员", required=False,
                                             widget=forms.CheckboxSelectMultiple)
    split_head = forms.ModelChoiceField(Member.objects.none(), label="新户户主", required=False,
                                        help_text="分户时从所选成员中指定")
    new_number = forms.CharField(label="新户户编号", max_length=64, required=False)
    new_category = forms.ChoiceField(label="新户贫困户类别", choices=[("", "---------"), *HouseholdCategory.choices],
                                     required=False)
    new_main_cause = forms.ModelChoiceField(PovertyCause.objects.all(), label="新户主要致贫原因", required=False)

    # The service's field names, and the form's fields they are shown at.
    FIELDS = {"person.name": "person_name", "person.id_number": "person_id_number",
              "person.relation": "person_relation", "person.labor": "person_labor", "relations": "split_head",
              "new_household.number": "new_number", "new_household.category": "new_category",
              "new_household.main_cause": "new_main_cause", "new_household": "new_number"}

    def __init__(self, *args, household: Household, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        present = selectors.members_on(household)
        self.fields["member"].queryset = household.members.order_by("id")
        for name in ("new_head", "members", "split_head"):
            self.fields[name].queryset = present
        self.fields["other_household"].queryset = (access.households_writable_by(user)
                                                   .exclude(pk=household.pk).order_by("number"))

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        kind = data["kind"]
        arguments = {"kind": kind, "date": data["date"], "reason": data["reason"], "member": data["member"],
                     "new_head": data["new_head"], "destination": data["destination"],
                     "other_household": data["other_household"], "relation": data["relation"],
                     "field": data["field"], "new_value": data["new_value"]}
        if kind in (ChangeKind.BIRTH, ChangeKind.MARRY_IN, ChangeKind.MOVE_IN):
            arguments["person"] = Member(name=data["person_name"], id_number=data["person_id_number"],
                                         relation=data["person_relation"], labor=data["person_labor"] or "none")
        if kind == ChangeKind.SPLIT:
            moving = list(data["members"])
            arguments["members"] = moving
            # The new head heads the new household; the others keep their relation (a head who goes along: 其他).
            arguments["relations"] = [
                Relation.HEAD if m == data["split_head"] else Relation.OTHER if m.relation == Relation.HEAD
                else m.relation for m in moving]
            arguments["new_household"] = Household(number=data["new_number"], category=data["new_category"],
                                                   main_cause=data["new_main_cause"])
        if kind == ChangeKind.MERGE and data["other_household"] is not None:
            moving = list(selectors.members_on(data["other_household"]))
            arguments["members"] = moving
            arguments["relations"] = [Relation.OTHER if m.relation == Relation.HEAD else m.relation for m in moving]
        return arguments

    def show_refusal(self, error: ValidationError | Refused) -> None:
        if isinstance(error, Refused):
            self.add_error(error.field if error.field in self.fields else None, error.message)
            return
        for name, found in error.message_dict.items():
            field = self.FIELDS.get(name, name.split(".")[0])
            self.add_error(field if field in self.fields else None, found)


class MemberChangesMixin:
    """For the household's admin page: its member changes shown, and the page that records one."""

    @admin.display(description="成员变动")
    def member_changes_table(self, household):
        if household is None or household.pk is None:
            return "—"
        rows = []
        for change in selectors.member_changes(household):
            detail = []
            if change.new_head:
                detail.append(f"新户主：{change.new_head.name}")
            if change.destination:
                detail.append(f"迁往：{change.destination}")
            if change.other_household:
                other = change.other_household if change.household_id == household.pk else change.household
                detail.append(f"另一户：{other.number}")
            if change.field:
                old, new = change.old_value, change.new_value
                if change.field == CorrectedField.ID_NUMBER:  # the history shows them whole to whoever may see them
                    old, new = mask_id(old), mask_id(new)
                detail.append(f"{change.get_field_display()}：{old} → {new}")
            rows.append((f"{change.date:%Y-%m-%d}", change.get_kind_display(), change.member.name, "；".join(detail),
                         change.reason, change.recorded_by.username if change.recorded_by else "系统"))
        if not rows:
            return "暂无成员变动"
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        return format_html("<table><thead><tr><th>日期</th><th>类型</th><th>成员</th><th>内容</th><th>原因</th>"
                           "<th>登记人</th></tr></thead><tbody>{}</tbody></table>", body)

    def get_urls(self):
        from django.urls import path

        urls = [path("<path:object_id>/member-change/", self.admin_site.admin_view(self.member_change_view),
                     name="households_household_member_change")]
        return urls + super().get_urls()

    def member_change_view(self, request, object_id):
        household = get_object_or_404(access.households_visible_to(request.user), pk=object_id)
        if not access.households_writable_by(request.user).filter(pk=household.pk).exists():
            raise PermissionDenied
        form = MemberChangeForm(request.POST or None, household=household, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                records = services.member_change_record(actor=request.user, household=household,
                                                        **form.service_arguments())
            except (ValidationError, Refused) as e:
                form.show_refusal(e)
            else:
                kind = records[0].get_kind_display()
                self.message_user(request, f"已登记{kind}（{records[0].date:%Y-%m-%d}）。", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:households_household_change", args=[household.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"登记成员变动：{household.number}",
            "household": household,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/households/household/member_change.html", context)


@admin.register(MemberChange)
class MemberChangeAdmin(RecordBookAdminMixin, ScopedAdmin):
    """Every member change the user sees, newest first, and the 动态调整 workbook. A change is
    recorded on its household's page or by the workbook, and never edited: a wrong one is put
    right by another change."""

    record_book = "memberchange"
    list_display = ["date", "household", "kind", "member", "other_household", "reason", "recorded_by"]
    list_filter = ["kind", county_filter("household__village__township__county")]
    search_fields = ["household__number", "member__name"]
    list_select_related = ["household", "member", "other_household", "recorded_by"]
    date_hierarchy = "date"
    ordering = ["-date", "-id"]
    fields = ["household", "kind", "date", "member", "new_head", "destination", "other_household", "other_member",
              "field", "reason", "recorded_by"]
    readonly_fields = fields

    def visible(self, request, queryset):
        return queryset.filter(household__in=access.households_visible_to(request.user))

    def may_see(self, request, obj) -> bool:
        return access.households_visible_to(request.user).filter(pk=obj.household_id).exists()

    def may_change(self, request, obj) -> bool:
        return False

    def may_add(self, request) -> bool:
        return False  # on the household's page (登记成员变动), or by the workbook

    def has_change_permission(self, request, obj=None):
        return False  # read here, the list's title too ("选择…来查看")

    def may_import(self, request) -> bool:
        return access.households_writable_by(request.user).exists()
