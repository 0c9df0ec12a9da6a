"""Departments, tags and indicators added through the API are written by the domain's services
(``policies.departments``, ``enterprises.definitions``): the API validates and calls them."""

import pytest
from django.core.exceptions import ValidationError

from enterprises.definitions import indicator_definition_create, tag_definition_create
from enterprises.models import TagDefinition
from matching.criteria import vocabulary_load
from policies.departments import department_create
from policies.models import Department


def test_a_tag_added_through_the_api_is_a_recognised_tag_criteria_can_name_at_once(world):
    # given an official, when they add a tag
    response = world.client("off_x").post(
        "/api/v1/tags/",
        {"name": "中原英才企业", "description": "高成长企业", "issuer": "郑州市科学技术局"},
        format="json",
    )
    # then it is created as a recognised (not derived) tag, and the vocabulary knows it
    assert response.status_code == 201, response.content
    assert response.json() == {
        "name": "中原英才企业",
        "description": "高成长企业",
        "issuer": "郑州市科学技术局",
        "derived": False,
    }
    assert TagDefinition.objects.get(name="中原英才企业").derived is False
    assert vocabulary_load().tag_id("中原英才企业") is not None


def test_an_enterprise_user_cannot_add_a_tag_and_nothing_is_written(world):
    response = world.client("ent_a").post("/api/v1/tags/", {"name": "中原英才企业"}, format="json")
    assert response.status_code == 403
    assert not TagDefinition.objects.filter(name="中原英才企业").exists()


def test_an_administrator_adds_a_department_under_a_parent(world):
    response = world.client("admin").post(
        "/api/v1/departments/",
        {"code": "zz-kjj-gx", "name": "郑州市科技局高新处", "level": "municipal", "parent": "zz-kjj"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Department.objects.get(code="zz-kjj-gx").parent == world.dept_y


@pytest.mark.django_db
def test_the_services_refuse_what_the_models_refuse():
    # the domain checks for itself, whoever calls it (the API has checked already)
    tag_definition_create(name="专精特新中小企业-测试")
    with pytest.raises(ValidationError) as duplicate:
        tag_definition_create(name="专精特新中小企业-测试")
    assert "name" in duplicate.value.message_dict
    with pytest.raises(ValidationError) as bad_code:
        indicator_definition_create(code="运费 成本", name="运费")
    assert "code" in bad_code.value.message_dict
    with pytest.raises(ValidationError) as bad_level:
        department_create(code="zz-x", name="某局", level="galactic")
    assert "level" in bad_level.value.message_dict
