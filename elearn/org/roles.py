"""The Wagtail group that gives safety officers admin access; created on demand, permissions kept in one list."""

from django.contrib.auth.models import Group, Permission

OFFICER_GROUP = "单位安全员"
OFFICER_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("org", "view_user"),
    ("org", "change_user"),
    ("org", "add_user"),
    ("org", "view_institution"),
]


def officer_group() -> Group:
    group, created = Group.objects.get_or_create(name=OFFICER_GROUP)
    if created:
        for app_label, codename in OFFICER_PERMISSIONS:
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm:
                group.permissions.add(perm)
    return group
