"""factory_boy factories shared by every app's tests."""

import factory

from elearn.org.models import Institution, User

PASSWORD = "correct-horse-42"


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试第{n}卫生院")
    short_name = factory.Sequence(lambda n: f"测{n}院")
    kind = Institution.Kind.TOWNSHIP


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    employee_no = factory.Sequence(lambda n: f"T{n:05d}")
    real_name = factory.Sequence(lambda n: f"职工{n}")
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    institution = factory.SubFactory(InstitutionFactory)
    department = "护理部"
    role = User.Role.STAFF
    password = factory.django.Password(PASSWORD)


class OfficerFactory(UserFactory):
    role = User.Role.OFFICER


class AdminFactory(UserFactory):
    role = User.Role.ADMIN
