"""Reference data of the registry: credit codes, divisions, zones, industries, size.

Everything here is pure (no models, no database) and reads the official tables from the
JSON files beside these modules (``enterprises/reference/*.json``) instead of retyping them.
Each normaliser accepts the forms people actually type and returns the one form the portal
stores, or raises ``django.core.exceptions.ValidationError`` with a Chinese message.

Periods are parsed by ``matching.criteria.periods`` (the one period parser); the registry's
refusal of a malformed period is ``enterprises.periods``. The criteria package reads this
package, so nothing here imports it.
"""

from .common import REFERENCE_DIR
from .credit_codes import (
    CreditCodeCheck,
    credit_code_from_parts,
    credit_code_make,
    entity_type_for,
    normalize_credit_code,
    org_code_check_char,
    uscc_check_char,
    validate_credit_code,
)
from .divisions import (
    CITY_CODE,
    ZHENGDONG_ZONE_CODE,
    district_name,
    normalize_district,
    normalize_zone,
    zhengzhou_districts,
    zhengzhou_zones,
    zone_name,
)
from .industries import (
    industry_divisions,
    industry_name,
    industry_resolve,
    industry_sections,
    normalize_industry,
)
from .scale import classify_scale, scale_inputs_for, sme_row_for, sme_table

__all__ = [
    "CITY_CODE",
    "REFERENCE_DIR",
    "ZHENGDONG_ZONE_CODE",
    "CreditCodeCheck",
    "classify_scale",
    "credit_code_from_parts",
    "credit_code_make",
    "district_name",
    "entity_type_for",
    "industry_divisions",
    "industry_name",
    "industry_resolve",
    "industry_sections",
    "normalize_credit_code",
    "normalize_district",
    "normalize_industry",
    "normalize_zone",
    "org_code_check_char",
    "scale_inputs_for",
    "sme_row_for",
    "sme_table",
    "uscc_check_char",
    "validate_credit_code",
    "zhengzhou_districts",
    "zhengzhou_zones",
    "zone_name",
]
