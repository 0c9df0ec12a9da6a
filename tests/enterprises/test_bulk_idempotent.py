"""A feed never touches the portal's derived (画像) tags, and an identical repost, with or
without ``tags``, changes nothing and re-matches nobody."""

import pytest
from django.utils import timezone

from enterprises.models import EnterpriseTag
from enterprises.services import enterprise_bulk_upsert, enterprise_tag_remove, enterprise_tags_set
from matching.pipeline.profile_tags import derived_tags_refresh
from tests.factories.enterprises import credit_code

pytestmark = pytest.mark.django_db


def _rows(n: int, *, tags: bool) -> list[dict]:
    founded = f"{timezone.localdate().year - 5}-05-01"  # 3 to 10 years old on any day
    rows = []
    for i in range(1, n + 1):
        row = {
            "credit_code": credit_code(i),
            "name": f"郑州幂等{i}有限公司",
            "district": "410105",
            "industry": "C3411",
            "established_on": founded,
            "indicators": {"employees": {"2024": 12}, "revenue": {"2024": "2500000"}},
        }
        if tags:
            row["tags"] = ["高新技术企业"] if i % 2 else []
        rows.append(row)
    return rows


def _derived() -> set[tuple[int, str]]:
    qs = EnterpriseTag.objects.filter(tag__derived=True)
    return set(qs.values_list("enterprise_id", "tag__name"))


@pytest.mark.parametrize("tags", [True, False], ids=["with-tags", "without-tags"])
def test_identical_repost_changes_nothing_and_keeps_the_derived_tags(rematched, tags):
    first = enterprise_bulk_upsert(rows=_rows(20, tags=tags), source="feed")
    assert (first.created, first.updated) == (20, 0)
    derived_tags_refresh(enterprise_ids=first.changed_ids)  # what the re-match does
    derived = _derived()
    names = {name for _id, name in derived}
    assert {"微型企业", "成立3至10年"} <= names  # 12 people, 250万: micro; founded 5 years ago
    rematched.clear()

    again = enterprise_bulk_upsert(rows=_rows(20, tags=tags), source="feed")

    assert (again.created, again.updated, again.unchanged) == (0, 0, 20)
    assert rematched == []
    assert _derived() == derived


def test_a_feed_replacing_tags_keeps_the_derived_ones_and_cannot_name_them(rematched):
    first = enterprise_bulk_upsert(rows=_rows(2, tags=True), source="feed")
    derived_tags_refresh(enterprise_ids=first.changed_ids)
    derived = _derived()

    changed = enterprise_bulk_upsert(
        rows=[{**_rows(1, tags=True)[0], "tags": ["科技型中小企业"]}], source="feed"
    )

    assert changed.updated == 1
    assert _derived() == derived
    refused = enterprise_bulk_upsert(rows=[{**_rows(1, tags=True)[0], "tags": ["微型企业"]}], source="feed")
    assert "系统画像标签" in refused.errors[0]["tags"][0]
    enterprise = EnterpriseTag.objects.filter(tag__name="微型企业").first().enterprise
    assert not enterprise_tag_remove(enterprise=enterprise, name="微型企业")
    enterprise_tags_set(enterprise=enterprise, tags=[], source="feed")
    assert _derived() == derived
