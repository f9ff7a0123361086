"""Repair accounts whose Django flags outlived their role.

Before this, User.save set is_superuser for admins and never cleared it, so a demoted admin kept every permission.
From now on the role alone decides (elearn.org.models.ROLE_FLAGS); this brings existing rows in line once:
is_staff and is_superuser from the role, officers in the officer group, no other group or direct permission.

The rule is copied here as it stands today (a migration must not change meaning when the model code does later).
"""

from django.db import migrations

ROLE_FLAGS = {
    "staff": {"is_staff": False, "is_superuser": False},
    "officer": {"is_staff": True, "is_superuser": False},
    "admin": {"is_staff": True, "is_superuser": True},
}
OFFICER_GROUP = "单位安全员"
OFFICER_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("org", "view_user"),
    ("org", "change_user"),
    ("org", "add_user"),
    ("org", "view_institution"),
]


def flags_from_role(apps, schema_editor):
    User = apps.get_model("org", "User")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    users = User._base_manager  # a plain manager: no derivation of its own, whatever the model code does later
    for role, flags in ROLE_FLAGS.items():
        rows = users.filter(role=role) if role != "staff" else users.exclude(role__in=["officer", "admin"])
        rows.exclude(**flags).update(**flags)

    memberships = User.groups.through._base_manager
    memberships.exclude(user__role="officer", group__name=OFFICER_GROUP).delete()
    User.user_permissions.through._base_manager.all().delete()
    missing = list(users.filter(role="officer").exclude(groups__name=OFFICER_GROUP).values_list("pk", flat=True))
    if missing:
        group, created = Group.objects.get_or_create(name=OFFICER_GROUP)
        if created:
            for app_label, codename in OFFICER_PERMISSIONS:
                permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
                if permission is not None:
                    group.permissions.add(permission)
        memberships.bulk_create([User.groups.through(user_id=pk, group_id=group.pk) for pk in missing])


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(flags_from_role, migrations.RunPython.noop)]
