"""A 诉求 about a policy or an application goes to that policy's department (牵头部门); the form
offers only what the user may see; 好差评 is labelled 非常满意 … 非常不满意 and opens once the
enterprise confirms or an official records a return visit."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from appeals import services
from appeals.models import Case, CaseStatus, Category, Rating, RatingScore, RoutingRule
from applications.models import Application
from tests.factories.accounts import EnterpriseUserFactory, OfficialUserFactory
from tests.factories.enterprises import EnterpriseFactory
from tests.factories.policies import DepartmentFactory, PolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two():
    """科技局 leads a policy; 市场监管局 is where the category rule sends policy questions."""
    kjj = DepartmentFactory(code="kjj", name="科技局")
    scjgj = DepartmentFactory(code="scjgj", name="市场监管局")
    RoutingRule.objects.create(category=Category.POLICY, department=scjgj)
    RoutingRule.objects.create(category=Category.OTHER, department=scjgj)
    policy = PolicyFactory(department=kjj, status="published", title="高新技术企业认定奖励")
    draft_policy = PolicyFactory(department=kjj, status="draft", title="未发布的草稿政策")
    enterprise = EnterpriseFactory(district="410105")
    user = EnterpriseUserFactory(enterprise=enterprise)
    other = EnterpriseFactory(district="410105")
    return {
        "kjj": kjj,
        "scjgj": scjgj,
        "policy": policy,
        "draft_policy": draft_policy,
        "enterprise": enterprise,
        "user": user,
        "other": other,
        "kjj_official": OfficialUserFactory(departments=[kjj]),
    }


def application_for(policy, enterprise, user, reference="SB-1"):
    return Application.objects.create(
        reference=reference,
        policy=policy,
        department=policy.department,
        enterprise=enterprise,
        applicant=user,
        processing_days=10,
        submitted_at=timezone.now(),
    )


def raise_about(two, **kw):
    return services.case_raise(
        enterprise=two["enterprise"],
        raised_by=two["user"],
        category=Category.POLICY,
        title="奖励何时发放",
        description="认定后何时拨付？",
        **kw,
    )


def test_a_case_about_a_policy_goes_to_the_policys_lead_department(two):
    assert raise_about(two).department == two["scjgj"]  # no policy: the category rule
    case = raise_about(two, policy=two["policy"])
    assert case.department == two["kjj"]
    assert case.events.filter(action="unrouted").count() == 0


def test_a_case_about_an_application_goes_to_its_department_and_names_its_policy(two):
    application = application_for(two["policy"], two["enterprise"], two["user"])
    case = raise_about(two, application=application)
    assert case.department == two["kjj"]
    assert case.policy == two["policy"]
    assert case.application == application


def test_another_enterprises_application_is_refused(two):
    stranger = EnterpriseUserFactory(enterprise=two["other"])
    application = application_for(two["policy"], two["other"], stranger)
    with pytest.raises(ValidationError) as exc:
        raise_about(two, application=application)
    assert "application" in exc.value.message_dict
    assert not Case.objects.exists()


def test_the_form_offers_published_policies_and_own_applications_and_routes_by_policy(client, two):
    own = application_for(two["policy"], two["enterprise"], two["user"], reference="SB-OWN")
    stranger = EnterpriseUserFactory(enterprise=two["other"])
    application_for(two["policy"], two["other"], stranger, reference="SB-OTHER")
    client.force_login(two["user"])
    page = client.get(reverse("appeals:new")).content.decode()
    assert "高新技术企业认定奖励" in page and "未发布的草稿政策" not in page
    assert "SB-OWN" in page and "SB-OTHER" not in page
    response = client.post(
        reverse("appeals:new"),
        {
            "kind": "problem",
            "category": "policy",
            "title": "奖励何时发放",
            "description": "认定后何时拨付？",
            "policy": two["policy"].pk,
        },
    )
    assert response.status_code == 302
    assert Case.objects.get().department == two["kjj"]
    # A draft policy or another enterprise's application is refused with the field named.
    refused = client.post(
        reverse("appeals:new"),
        {"kind": "problem", "category": "policy", "title": "x", "description": "y",
         "policy": two["draft_policy"].pk},
    )  # fmt: skip
    assert refused.status_code == 200 and "涉及政策" in refused.content.decode()
    assert Case.objects.count() == 1
    client.post(
        reverse("appeals:new"),
        {"kind": "problem", "category": "policy", "title": "x", "description": "y", "application": own.pk},
    )
    assert Case.objects.filter(application=own, department=two["kjj"]).exists()


def _answered(two):
    case = raise_about(two, policy=two["policy"])
    services.case_accept(case=case, actor=two["kjj_official"])
    services.case_answer(case=case, reply="已安排拨付", actor=two["kjj_official"])
    return case


def test_rating_labels_are_the_five_grades_of_haochaping():
    assert [str(label) for _, label in RatingScore.choices] == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
    ]


def test_rating_opens_once_the_enterprise_confirms_before_staff_close(two):
    case = _answered(two)
    with pytest.raises(ValidationError, match="回访后才能评价"):
        services.case_rate(case=case, score=5, comment="", actor=two["user"])
    services.case_confirm(case=case, resolved=True, actor=two["user"])
    assert case.status == CaseStatus.CONFIRMED
    rating = services.case_rate(case=case, score=4, comment="", actor=two["user"])
    assert rating.get_score_display() == "满意"
    assert case.events.filter(action="rated", note__startswith="满意").exists()
    services.case_close(case=case, actor=two["kjj_official"])  # closing still works after rating


def test_rating_opens_once_staff_record_a_return_visit(two):
    case = _answered(two)
    services.case_return_visit(case=case, actor=two["kjj_official"], summary="电话回访，企业表示已解决")
    with pytest.raises(ValidationError, match="请选择评价"):
        services.case_rate(case=case, score=7, comment="", actor=two["user"])
    services.case_rate(case=case, score=3, comment="", actor=two["user"])
    assert Rating.objects.get(case=case).score == RatingScore.FAIRLY_SATISFIED


def test_detail_page_shows_the_labelled_rating_form_after_confirmation(client, two):
    case = _answered(two)
    client.force_login(two["user"])
    assert 'value="rate"' not in client.get(reverse("appeals:detail", args=[case.pk])).content.decode()
    services.case_confirm(case=case, resolved=True, actor=two["user"])
    page = client.get(reverse("appeals:detail", args=[case.pk])).content.decode()
    assert 'value="rate"' in page
    assert f"{case.pk}/#rate" in client.get(reverse("appeals:mine")).content.decode()  # 去评价
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert label in page
    response = client.post(reverse("appeals:detail", args=[case.pk]), {"action": "rate", "score": "1"})
    assert response.status_code == 200 and "差评请说明原因" in response.content.decode()
    client.post(reverse("appeals:detail", args=[case.pk]), {"action": "rate", "score": "5", "comment": "好"})
    assert "非常满意" in client.get(reverse("appeals:detail", args=[case.pk])).content.decode()


def test_the_api_takes_the_application_routes_by_it_and_labels_the_rating(two):
    from rest_framework.test import APIClient

    own = application_for(two["policy"], two["enterprise"], two["user"], reference="SB-API")
    stranger = EnterpriseUserFactory(enterprise=two["other"])
    theirs = application_for(two["policy"], two["other"], stranger, reference="SB-THEIRS")
    api = APIClient()
    api.force_authenticate(two["user"])
    body = {"category": "policy", "title": "拨付", "description": "何时"}
    refused = api.post("/api/v1/appeals/", {**body, "application": theirs.pk}, format="json")
    assert refused.status_code == 400 and "application" in refused.json()
    created = api.post("/api/v1/appeals/", {**body, "application": own.pk}, format="json")
    assert created.status_code == 201, created.content
    case = Case.objects.get(pk=created.json()["id"])
    assert case.department == two["kjj"] and created.json()["application"] == own.pk
    services.case_accept(case=case, actor=two["kjj_official"])
    services.case_answer(case=case, reply="已安排", actor=two["kjj_official"])
    services.case_confirm(case=case, resolved=True, actor=two["user"])
    rated = api.post(f"/api/v1/appeals/{case.pk}/rate/", {"score": 5}, format="json")
    assert rated.status_code == 200 and rated.json()["rating_label"] == "非常满意"
