"""Entry points of the drills app. Thin: drills.selectors reads, drills.services changes, elearn.org.permissions
decides who.

On the site (phones): the QR code's check-in page, 我参加的演练与培训, and the photos (permission-checked).
In the Wagtail admin (officers, district admin): the list, the record form with photos, the full-screen QR page and
its live count, roster picking, the attendance list and its Excel export, and the district's 未完成名单.
"""

from __future__ import annotations

import datetime as dt
import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from drills import checkin, selectors, services
from drills.exceptions import CheckinRefused, DrillError
from drills.forms import DrillForm
from drills.models import Drill, DrillPhoto
from elearn.evidence import serve_evidence
from elearn.org.disclosure import disclose
from elearn.org.permissions import is_manager, managed_institutions, sees_every_institution
from elearn.spreadsheets import workbook_bytes

# --- the site: staff on their phones ---------------------------------------------------------------------------------


@never_cache
@login_required
def checkin_page(request, token: str):
    """What scanning the QR code opens: the drill and whether this person may check in; a tap (POST) checks in."""
    status, drill, refusal = "ready", None, None
    if request.method == "POST":
        try:
            result = services.attendance_check_in_by_qr(user=request.user, token=token)
        except CheckinRefused as exc:
            refusal = exc
        else:
            drill, status = result.drill, "done" if result.created else "already"
    else:
        try:
            drill = services.checkin_drill(token)
        except CheckinRefused as exc:
            refusal = exc
        else:
            if selectors.attended_ids(drill) & {request.user.pk}:
                status = "already"
            else:
                refusal = services.checkin_refusal(request.user, drill)
    if refusal is not None:
        status = "refused"
        if refusal.code == "invalid":
            drill = None
        elif drill is None:
            parsed = checkin.parse_token(token)
            drill = Drill.objects.filter(pk=parsed.drill_id).first() if parsed else None
        if refusal.code == "foreign":
            drill = None  # another institution's drill: not even its title
    context = {"status": status, "drill": drill, "refusal": refusal, "token": token}
    return render(request, "drills/checkin.html", context, status=403 if status == "refused" else 200)


@login_required
def mine(request):
    """我参加的演练与培训."""
    return render(request, "drills/mine.html", {"rows": selectors.my_attendance(request.user)})


@login_required
def photo(request, pk: int):
    photo = get_object_or_404(DrillPhoto.objects.select_related("drill"), pk=pk)
    if not selectors.may_see_photo(request.user, photo):
        raise Http404
    return serve_evidence(photo.image, content_type=photo.content_type)


# --- the Wagtail admin: officers and the district admin ------------------------------------------------------------


def _require_manager(request) -> None:
    if not is_manager(request.user):
        raise PermissionDenied


def _drill_or_404(request, pk: int) -> Drill:
    _require_manager(request)
    drill = selectors.drill_for(request.user, pk)
    if drill is None:
        raise Http404
    return drill


def admin_index(request):
    _require_manager(request)
    drills = selectors.drills_for(request.user)
    institutions = managed_institutions(request.user)
    inst = request.GET.get("institution", "")
    if inst.isdigit():
        drills = drills.filter(institution_id=int(inst))
    kind = request.GET.get("kind", "")
    if kind in Drill.Kind.values:
        drills = drills.filter(kind=kind)
    context = {
        "drills": drills[:500],
        "institutions": institutions if sees_every_institution(request.user) else None,
        "selected_institution": inst,
        "kinds": Drill.Kind.choices,
        "selected_kind": kind,
        "is_district_admin": sees_every_institution(request.user),
    }
    return render(request, "drills/admin/index.html", context)


def _save_photos(request, drill: Drill, form) -> bool:
    uploads = form.cleaned_data.get("photos") or []
    if not uploads:
        return True
    try:
        services.drill_photos_add(actor=request.user, drill=drill, uploads=uploads)
    except DrillError as exc:
        form.add_error("photos", exc.message)
        return False
    return True


def admin_create(request):
    _require_manager(request)
    institutions = managed_institutions(request.user)
    form = DrillForm(request.POST or None, request.FILES or None, institutions=institutions)
    if request.method == "POST" and form.is_valid():
        try:
            recorded = services.drill_record(
                actor=request.user,
                institution_id=form.cleaned_data["institution"].pk,
                data=form.drill_data(),
                client_uuid=form.cleaned_data["client_uuid"],
            )
        except DrillError as exc:
            form.add_error(None, exc.message)
            form = form.with_new_client_uuid()
        else:
            drill = recorded.drill
            if not recorded.created:  # the second click of a double-click: the first request stores the photos
                return redirect("drills_admin_edit", pk=drill.pk)
            if _save_photos(request, drill, form):
                messages.success(request, _("已记录“%(title)s”。") % {"title": drill.title})
                return redirect("drills_admin_edit", pk=drill.pk)
            messages.warning(request, _("已记录，但照片未保存：请重新上传。"))
            return redirect("drills_admin_edit", pk=drill.pk)
    return render(request, "drills/admin/form.html", {"form": form, "drill": None})


def admin_edit(request, pk: int):
    drill = _drill_or_404(request, pk)
    form = DrillForm(request.POST or None, request.FILES or None, instance=drill)
    if request.method == "POST" and form.is_valid():
        try:
            drill = services.drill_update(actor=request.user, drill=drill, data=form.drill_data())
        except DrillError as exc:
            form.add_error(None, exc.message)
        else:
            if _save_photos(request, drill, form):
                messages.success(request, _("已保存。"))
                return redirect("drills_admin_edit", pk=drill.pk)
    attendance = selectors.attendance_of(drill)
    opens, closes = drill.checkin_window()
    context = {
        "form": form,
        "drill": drill,
        "photos": drill.photos.all(),
        "attendance": attendance,
        "checkin_open": drill.checkin_is_open(),
        "opens": opens,
        "closes": closes,
    }
    if attendance:
        disclose(
            request,
            what=_("演练签到名单：%(t)s") % {"t": drill.title},
            count=len(attendance),
            institution=drill.institution_id,
        )
    return render(request, "drills/admin/form.html", context, status=400 if form.errors else 200)


@require_POST
def admin_photo_delete(request, pk: int, photo_id: int):
    drill = _drill_or_404(request, pk)
    photo = get_object_or_404(DrillPhoto, pk=photo_id, drill=drill)
    services.drill_photo_remove(actor=request.user, photo=photo)
    messages.success(request, _("照片已删除。"))
    return redirect("drills_admin_edit", pk=drill.pk)


@require_POST
def admin_checkin(request, pk: int):
    """Open (action=open) or close (action=close) check-in by QR code now."""
    drill = _drill_or_404(request, pk)
    action = request.POST.get("action")
    if action == "open":
        try:
            services.drill_checkin_open(actor=request.user, drill=drill)
        except DrillError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已开始签到。"))
    elif action == "close":
        services.drill_checkin_close(actor=request.user, drill=drill)
        messages.success(request, _("已结束签到，之前显示的二维码已失效。"))
    else:
        return HttpResponse(_("未知操作。"), status=400, content_type="text/plain; charset=utf-8")
    return redirect("drills_admin_edit", pk=drill.pk)


def _checkin_url(request, drill: Drill) -> str:
    token = checkin.make_token(drill.pk, drill.checkin_secret)
    return request.build_absolute_uri(reverse("drills:checkin", kwargs={"token": token}))


def _live(request, drill: Drill) -> dict:
    opens, closes = drill.checkin_window()
    return {
        "count": selectors.checked_in_count(drill),
        "planned": drill.planned_participants,
        "open": drill.checkin_is_open(),
        "opens": timezone.localtime(opens).strftime("%m-%d %H:%M"),
        "closes": timezone.localtime(closes).strftime("%m-%d %H:%M"),
        "step": checkin.current_step(),
        "qr": reverse("drills_admin_qr_svg", kwargs={"pk": drill.pk}) + f"?s={checkin.current_step()}",
        "refresh_seconds": 5,
    }


@never_cache
def admin_qr(request, pk: int):
    """Full screen for a projector or laptop at the drill: the QR code (a new one every minute) and the count."""
    drill = _drill_or_404(request, pk)
    return render(request, "drills/admin/qr.html", {"drill": drill, "live": _live(request, drill)})


@never_cache
def admin_qr_svg(request, pk: int):
    drill = _drill_or_404(request, pk)
    image = qrcode.make(
        _checkin_url(request, drill), image_factory=qrcode.image.svg.SvgPathImage, box_size=20, border=2
    )
    buffer = io.BytesIO()
    image.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def admin_live(request, pk: int):
    drill = _drill_or_404(request, pk)
    return JsonResponse(_live(request, drill), json_dumps_params={"ensure_ascii": False})


def _ids(values: list[str]) -> list[int] | None:
    """Account ids from a form (None if any is not one: not a number, or outside the database's range)."""
    if len(values) > 10_000:
        return None
    ids = []
    for value in values:
        if not value.isdigit() or not 0 < int(value) < 2**63:
            return None
        ids.append(int(value))
    return ids


def admin_roster(request, pk: int):
    """Tick who attended from the institution's staff (searchable); saving sets the ticks of the people shown."""
    drill = _drill_or_404(request, pk)
    q = request.GET.get("q", "")[:50]
    if request.method == "POST":
        ticked, shown = _ids(request.POST.getlist("user")), _ids(request.POST.getlist("shown"))
        if ticked is None or shown is None:
            return HttpResponse(_("名单无效。"), status=400, content_type="text/plain; charset=utf-8")
        try:
            added, removed = services.attendance_set_from_roster(
                actor=request.user, drill=drill, user_ids=ticked, among=shown
            )
        except DrillError as exc:
            return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
        messages.success(request, _("已更新签到名单：新增 %(a)d 人，移除 %(r)d 人。") % {"a": added, "r": removed})
        return redirect("drills_admin_edit", pk=drill.pk)
    people = list(selectors.roster(drill, q)[:1000])
    disclose(
        request,
        what=_("演练签到名单选择：%(t)s") % {"t": drill.title},
        count=len(people),
        institution=drill.institution_id,
    )
    context = {"drill": drill, "people": people, "ticked": selectors.attended_ids(drill), "q": q}
    return render(request, "drills/admin/roster.html", context)


def admin_export(request, pk: int):
    """The attendance as an Excel workbook (cells made formula-safe by elearn.spreadsheets)."""
    drill = _drill_or_404(request, pk)
    rows = [
        [
            a.user.employee_no,
            a.user.real_name,
            a.user.department,
            a.get_method_display(),
            timezone.localtime(a.checked_in_at).strftime("%Y-%m-%d %H:%M"),
        ]
        for a in selectors.attendance_of(drill)
    ]
    header = [_("工号"), _("姓名"), _("科室/岗位"), _("签到方式"), _("签到时间")]
    body = workbook_bytes([(_("签到"), header, rows)])
    disclose(
        request,
        what=_("演练签到名单导出：%(t)s") % {"t": drill.title},
        count=len(rows),
        institution=drill.institution_id,
    )
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="drill-{drill.pk}-attendance.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


def _campaign_period(request) -> tuple[dt.date, dt.date]:
    """The period from ?start=&end= (YYYY-MM-DD), else the home page's campaign dates, else this month."""
    from content.models import HomePage

    home = HomePage.objects.live().order_by("path").first() or HomePage.objects.order_by("path").first()
    today = timezone.localdate()
    start = (home and home.campaign_start) or today.replace(day=1)
    end = (home and home.campaign_end) or today
    try:
        if request.GET.get("start"):
            start = dt.date.fromisoformat(request.GET["start"][:10])
        if request.GET.get("end"):
            end = dt.date.fromisoformat(request.GET["end"][:10])
    except ValueError:
        pass
    return start, max(start, end)


def admin_missing(request):
    """未完成名单: institutions that have not yet held the required drill and training in the campaign period."""
    if not sees_every_institution(request.user):
        raise PermissionDenied
    start, end = _campaign_period(request)
    rows = selectors.institutions_missing(start, end)
    return render(request, "drills/admin/missing.html", {"rows": rows, "start": start, "end": end})
