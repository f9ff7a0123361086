"""Forms of the hazards screens (the site's report form, the receipt form, the admin's transition forms)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from elearn.org.models import Institution
from hazards.models import Category, Judgement, Severity
from hazards.services import MAX_PHOTOS_PER_UPLOAD


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one input; each is checked by the service (clean_image), not here."""

    widget = MultiplePhotoInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [f for f in files if f]


def photo_widget_attrs() -> dict:
    # data-outbox-max: the phone stops at the server's limit instead of shrinking and uploading photos it will refuse
    return {
        "accept": "image/*",
        "capture": "environment",
        "data-outbox-photos": "",
        "data-outbox-max": str(MAX_PHOTOS_PER_UPLOAD),
    }


class ReportForm(forms.Form):
    client_uuid = forms.UUIDField(required=False, widget=forms.HiddenInput)
    photos = PhotosField(label=_("照片"), widget=MultiplePhotoInput(attrs=photo_widget_attrs()))
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices, widget=forms.RadioSelect)
    institution = forms.ModelChoiceField(label=_("所在单位"), queryset=Institution.objects.all(), empty_label=None)
    location = forms.CharField(label=_("楼栋/科室"), max_length=100, required=False)
    place = forms.CharField(label=_("具体位置"), max_length=200, required=False)
    description = forms.CharField(label=_("隐患描述"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    judgement = forms.ChoiceField(
        label=_("你的判断"), choices=Judgement.choices, initial=Judgement.GENERAL, widget=forms.RadioSelect
    )
    anonymous = forms.BooleanField(label=_("匿名上报"), required=False)
    directed_to_bureau = forms.BooleanField(label=_("直报区卫健局"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_uuid", uuid.uuid4())  # without the outbox script: one per form shown
            if user is not None and user.institution_id:
                self.initial.setdefault("institution", user.institution_id)


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("回执码"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    action = forms.CharField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(label=_("答复"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("补充照片"), widget=MultiplePhotoInput(attrs=photo_widget_attrs()))


class AnswerForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    text = forms.CharField(label=_("答复"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("补充照片"), widget=MultiplePhotoInput(attrs=photo_widget_attrs()))


class TransitionForm(forms.Form):
    """Every handling action posts here; the service checks what each action needs."""

    action = forms.ChoiceField(
        choices=[(a, a) for a in ("accept", "start", "rectified", "verify", "reject", "duplicate", "ask", "reward")]
    )
    deadline = forms.DateField(label=_("整改期限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    severity = forms.ChoiceField(label=_("隐患等级"), choices=Severity.choices, required=False)
    note = forms.CharField(label=_("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    original = forms.IntegerField(label=_("原报告编号"), required=False)
    on_board = forms.BooleanField(label=_("在警示教育栏展示（不显示上报人）"), required=False)
    amount = forms.DecimalField(label=_("金额（元）"), required=False, max_digits=10, decimal_places=2)
    kind = forms.CharField(label=_("奖励形式"), max_length=100, required=False)
    photos = PhotosField(label=_("整改后照片"), widget=MultiplePhotoInput(attrs={"accept": "image/*"}))

    def default_deadline(self):
        return timezone.localdate() + timezone.timedelta(days=7)
