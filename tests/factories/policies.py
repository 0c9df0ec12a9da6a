"""Factories of the policy library: departments, officials (drafter / reviewer), policies."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from policies.models import Department, Interpretation, Material, Policy, PolicyStatus, ServicePoint


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"测试局{n}")


class ServicePointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePoint

    department = factory.SubFactory(DepartmentFactory)
    name = "政务服务中心窗口"
    address = "郑州市郑东新区商务外环路"
    hotline = "0371-12345"


class OfficialFactory(factory.django.DjangoModelFactory):
    """An official of ``departments``; ``reviewer=True`` grants policies.review_policy."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"official{n}")
    password = factory.django.Password("Demo-2026-zz")
    is_staff = True

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if create and extracted:
            self.departments.set(extracted)

    @factory.post_generation
    def reviewer(self, create, extracted, **kwargs):
        if create and extracted:
            self.user_permissions.add(
                Permission.objects.get(codename="review_policy", content_type__app_label="policies")
            )


class PolicyFactory(factory.django.DjangoModelFactory):
    """A policy row written directly (no workflow); use the services to test the workflow."""

    class Meta:
        model = Policy

    title = factory.Sequence(lambda n: f"测试政策{n}")
    department = factory.SubFactory(DepartmentFactory)
    summary = "对符合条件的企业给予奖励。"
    body = "正文。"
    status = PolicyStatus.DRAFT
    criteria = factory.LazyFunction(dict)
    industries = factory.LazyFunction(lambda: ["all"])
    districts = factory.LazyFunction(lambda: ["all"])


class InterpretationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interpretation

    policy = factory.SubFactory(PolicyFactory)
    title = "政策解读"
    body = "解读内容。"


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material

    policy = factory.SubFactory(PolicyFactory)
    name = "营业执照"
    from_shared_data = True
