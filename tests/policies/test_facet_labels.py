"""The search facets name regions and industries in Chinese, including the wider areas a
policy may name (the province, the city) and codes the reference data does not know."""

import pytest
from django.utils import timezone

from policies.models import PolicyStatus
from policies.selectors import policy_facets
from tests.factories.policies import PolicyFactory

pytestmark = pytest.mark.django_db


def test_facets_name_districts_zones_the_city_and_industries():
    # given published policies for the city, a district and an unknown code, in two industries
    for districts, industries in ((["4101"], ["C"]), (["410105"], ["I65"]), (["419999"], ["C39"])):
        PolicyFactory(
            status=PolicyStatus.PUBLISHED,
            published_at=timezone.now(),
            districts=districts,
            industries=industries,
        )
    # when the facets are counted
    facets = policy_facets(q="", filters={})
    # then each code has its name, and an unknown district code is shown as it is
    districts = {f["value"]: f["label"] for f in facets["district"]}
    assert districts == {"4101": "郑州市", "410105": "金水区", "419999": "419999"}
    industries = {f["value"]: f["label"] for f in facets["industry"]}
    assert industries["C"] == "制造业" and industries["I65"] == "软件和信息技术服务业"
