"""Forms of the drills screens: they validate input; drills.services makes the change."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from drills.models import Drill
from drills.services import EDITABLE, MAX_PHOTOS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "multiple": True})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultiplePhotoField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class DrillForm(forms.ModelForm):
    photos = MultiplePhotoField(label=_("照片"), required=False, help_text=_("JPG、PNG 或 WebP；位置等信息会被去除。"))

    class Meta:
        model = Drill
        fields = list(EDITABLE)
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "starts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "ends_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "scenario": forms.Textarea(attrs={"rows": 3}),
            "problems": forms.Textarea(attrs={"rows": 3}),
            "improvements": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if institutions is not None:
            self.fields["institution"] = forms.ModelChoiceField(
                queryset=institutions,
                label=_("单位"),
                initial=institutions.first() if institutions.count() == 1 else None,
            )
            self.order_fields(["institution", *EDITABLE])
            # One key per rendering of the recording form: a double-clicked 保存 records one drill.
            self.fields["client_uuid"] = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)

    def with_new_client_uuid(self) -> DrillForm:
        """After a refusal, the next 保存 of this form is a new submission."""
        if "client_uuid" in self.fields and self.is_bound:
            self.data = self.data.copy()
            self.data[self.add_prefix("client_uuid")] = str(uuid.uuid4())
        return self

    def clean_photos(self):
        photos = self.cleaned_data.get("photos") or []
        existing = self.instance.photos.count() if self.instance.pk else 0
        if existing + len(photos) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("每次演练最多 %(n)d 张照片（已有 %(e)d 张）。") % {"n": MAX_PHOTOS, "e": existing}
            )
        return photos

    def drill_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE}
