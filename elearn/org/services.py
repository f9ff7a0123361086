"""Changes across organisation models. Keyword-only, atomic; refusals raise errors from exceptions.py."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q

from elearn.org.exceptions import RosterRejected
from elearn.org.models import Institution, User
from elearn.org.passwords import generate_password, initial_password_hash
from elearn.org.roster import RosterPlan, roster_plan
from elearn.realtime.broadcast import broadcast
from elearn.realtime.groups import account_group


@dataclass
class RosterResult:
    plan: RosterPlan
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # (姓名, 工号, 单位, 初始密码) for every created account: handed over once, never stored in clear.
    passwords: list[tuple[str, str, str, str]] = field(default_factory=list)


def roster_import(*, data: bytes, filename: str, actor: User) -> RosterResult:
    """Validate the whole file and write it in one transaction, or write nothing and raise RosterRejected."""
    with transaction.atomic():
        plan = roster_plan(data=data, filename=filename, actor=actor)
        if not plan.ok:
            raise RosterRejected(plan)
        result = RosterResult(plan=plan, unchanged=len(plan.unchanged))
        new_users = []
        for row in plan.create:
            password = generate_password()
            user = User(employee_no=row.employee_no, must_change_password=True, **row.values())
            user.password = initial_password_hash(password)
            new_users.append(user)
            result.passwords.append((row.real_name, row.employee_no, row.institution.name, password))
        for user in new_users:
            user.save()
        for row, user, _changed in plan.update:
            for name, value in row.values().items():
                setattr(user, name, value)
            user.save()
        result.created, result.updated = len(new_users), len(plan.update)
        touched = {row.institution.pk for row in plan.create} | {row.institution.pk for row, _u, _c in plan.update}
        institution_refresh_headcount(institution_ids=touched)
    return result


def institution_refresh_headcount(*, institution_ids) -> None:
    counts = Institution.objects.filter(pk__in=institution_ids).annotate(
        active=Count("members", filter=Q(members__is_active=True))
    )
    for inst in counts:
        if inst.headcount != inst.active:
            Institution.objects.filter(pk=inst.pk).update(headcount=inst.active)


def user_change_password(*, user: User, password: str) -> None:
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])


def account_disabled_broadcast(sender, instance: User, **kwargs) -> None:
    """post_save of User: an account loaded active and saved inactive (离职, the account admin, a shell) is told on its
    own group once committed, so its open live-game connections close at once (its sessions end with the account)."""
    if getattr(instance, "_was_active", False) and not instance.is_active:
        instance._was_active = False
        group = account_group(instance.pk)
        transaction.on_commit(lambda: broadcast(group, {"type": "account.disabled"}))
