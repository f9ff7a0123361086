"""Wagtail admin pages of the scorecard (单位考核): the district table (district admin), one page per institution (its
officer and the district admin), the district workbook and each institution's one-page 活动总结 PDF.

Thin: campaign.scorecard.selectors reads (scoped by elearn.org.permissions), export and pdf write files.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from campaign.scorecard import export, pdf, rules, selectors
from elearn.org.models import Institution
from elearn.org.permissions import can_manage_institution, is_manager, sees_every_institution


def _require_manager(request) -> None:
    if not is_manager(request.user):
        raise PermissionDenied


def _require_district(request) -> None:
    if not sees_every_institution(request.user):
        raise PermissionDenied


def _campaign(request):
    """The campaign asked for (?campaign=id: 404 if there is none such), else the current one (may be None)."""
    raw = request.GET.get("campaign", "")
    if raw:
        campaign_id = selectors.parse_id(raw)
        campaign = selectors.campaign_for(campaign_id) if campaign_id is not None else None
        if campaign is None:
            raise Http404
        return campaign
    return selectors.campaign_for()


def _institution(request, institution_id: int) -> Institution:
    if not can_manage_institution(request.user, institution_id):
        raise PermissionDenied
    institution = Institution.objects.filter(pk=institution_id).first()
    if institution is None:
        raise Http404
    return institution


def _sort(request) -> tuple[str, bool]:
    key = request.GET.get("sort", "")
    key = key if key in selectors.SORT_KEYS else "rank"
    descending = request.GET.get("dir", "") == "desc" if "dir" in request.GET else key not in ("rank", "name")
    return key, descending


def district(request):
    """Every institution's scorecard, ranked (the district admin); an officer is sent to their own page."""
    _require_manager(request)
    if not sees_every_institution(request.user):
        if request.user.institution_id:
            target = reverse("campaign_scorecard_institution", args=[request.user.institution_id])
            return redirect(f"{target}?{request.GET.urlencode()}" if request.GET.get("campaign") else target)
        raise PermissionDenied
    campaign = _campaign(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in Institution.Kind.values else ""
    sort, descending = _sort(request)
    context = {
        "campaign": campaign,
        "campaigns": selectors.campaigns(),
        "kinds": Institution.Kind.choices,
        "kind": kind,
        "sort": sort,
        "descending": descending,
        "criteria": [(key, selectors.LABELS[key], rules.WEIGHTS[key]) for key in rules.CRITERIA],
        "weights": rules.WEIGHTS,
        "penalty": (rules.OVERDUE_PENALTY, rules.OVERDUE_PENALTY_CAP),
    }
    if campaign is not None:
        data = selectors.scorecard(request.user, campaign, kind=kind or None)
        context |= {"data": data, "cards": selectors.sort_cards(data.cards, sort, descending)}
    return render(request, "campaign/scorecard/admin/district.html", context)


def institution(request, institution_id: int):
    _require_manager(request)
    inst = _institution(request, institution_id)
    campaign = _campaign(request)
    context = {
        "institution": inst,
        "campaign": campaign,
        "campaigns": selectors.campaigns(),
        "district": sees_every_institution(request.user),
        "weights": rules.WEIGHTS,
        "penalty": (rules.OVERDUE_PENALTY, rules.OVERDUE_PENALTY_CAP),
    }
    if campaign is not None:
        data = selectors.scorecard(request.user, campaign, institution_id=inst.pk)
        context |= {
            "data": data,
            "card": data.cards[0],
            "drills": list(selectors.drills_held(request.user, campaign, inst.pk)),
        }
    return render(request, "campaign/scorecard/admin/institution.html", context)


def institution_pdf(request, institution_id: int):
    _require_manager(request)
    inst = _institution(request, institution_id)
    campaign = _campaign(request)
    if campaign is None:
        raise Http404
    data = selectors.scorecard(request.user, campaign, institution_id=inst.pk)
    body = pdf.render_summary_pdf(
        data.cards[0],
        campaign=campaign,
        exam=data.cards[0].exam,
        drills=selectors.drills_held(request.user, campaign, inst.pk),
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="summary-campaign{campaign.pk}-inst{inst.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def district_export(request):
    _require_manager(request)
    _require_district(request)
    campaign = _campaign(request)
    if campaign is None:
        raise Http404
    kind = request.GET.get("kind", "")
    data = selectors.scorecard(request.user, campaign, kind=kind if kind in Institution.Kind.values else None)
    sort, descending = _sort(request)
    data.cards = selectors.sort_cards(data.cards, sort, descending)
    name, body = export.workbook(data)
    response = HttpResponse(body, content_type=export.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
