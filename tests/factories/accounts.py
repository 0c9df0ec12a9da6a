"""Factories of accounts: plain, enterprise and official users, binding requests."""

import factory
from django.contrib.auth import get_user_model

from portal.accounts.models import EnterpriseBindingRequest

from .enterprises import EnterpriseFactory

PASSWORD = "Demo-2026-zz"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    password = factory.django.Password(PASSWORD)


class EnterpriseUserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"ent{n}")
    enterprise = factory.SubFactory(EnterpriseFactory)


class OfficialUserFactory(UserFactory):
    """An official of ``departments`` (a department is created when none is given)."""

    username = factory.Sequence(lambda n: f"gov{n}")
    is_staff = True

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            from .policies import DepartmentFactory

            extracted = [DepartmentFactory()]
        self.departments.set(extracted)


class SuperuserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"root{n}")
    is_staff = True
    is_superuser = True


class BindingRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnterpriseBindingRequest

    user = factory.SubFactory(UserFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    credit_code = factory.LazyAttribute(lambda o: o.enterprise.credit_code)
    applicant_name = "张三"
    applicant_phone = "13812345678"
