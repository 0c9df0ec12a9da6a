import pytest
from django.core.exceptions import ValidationError

from enterprises.reference import (
    credit_code_from_parts,
    credit_code_make,
    entity_type_for,
    normalize_credit_code,
    org_code_check_char,
    validate_credit_code,
)

WORKED_EXAMPLE = "914403001922038216"  # uscc_structure.json worked example


def test_worked_example_from_the_standard_is_valid_and_its_org_code_checks():
    check = validate_credit_code(WORKED_EXAMPLE)
    assert check.code == WORKED_EXAMPLE
    assert check.entity_type == "enterprise"
    assert check.org_code_ok is True


@pytest.mark.parametrize("prefix", ["A1", "N2", "Y1"])
def test_codes_whose_authority_is_a_letter_are_valid(prefix):
    # given a code starting with a letter, which python-stdnum alone rejects
    code = credit_code_from_parts(prefix=prefix, region="410122", org_body="MA12345P")
    # when / then
    check = validate_credit_code(code)
    assert check.code == code and check.org_code_ok
    assert check.entity_type == "other"


def test_wrong_check_character_is_rejected_with_a_chinese_reason():
    wrong = WORKED_EXAMPLE[:17] + ("7" if WORKED_EXAMPLE[17] != "7" else "8")
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(wrong)
    assert "校验位" in exc.value.messages[0]


def test_letter_first_code_with_wrong_check_character_is_rejected():
    code = credit_code_from_parts(prefix="N2", region="410122", org_body="MA12345P")
    bad = code[:17] + ("0" if code[17] != "0" else "1")
    with pytest.raises(ValidationError, match="校验位"):
        validate_credit_code(bad)


def test_org_code_mismatch_is_flagged_not_rejected():
    # given a code whose position 17 is wrong but whose position 18 is recomputed to hold
    body = "MA12345P"
    wrong17 = "0" if org_code_check_char(body) != "0" else "1"
    code = credit_code_make("91410105" + body + wrong17)
    # when
    check = validate_credit_code(code)
    # then
    assert check.org_code_ok is False
    assert check.code == code


@pytest.mark.parametrize(
    "raw",
    [
        "９１４４０３００１９２２０３８２１６",  # full-width digits
        " 9144 0300 1922 0382 16 ",
        "9144-0300-1922-0382-16",
        "9144\u30000300\u30001922038216",  # ideographic space
        "91440300\t1922038216\n",
    ],
)
def test_normalisation_removes_width_spaces_and_hyphens(raw):
    assert normalize_credit_code(raw) == WORKED_EXAMPLE
    assert validate_credit_code(raw).code == WORKED_EXAMPLE


def test_full_width_lower_case_letters_are_normalised():
    code = credit_code_from_parts(prefix="91", region="410105", org_body="MA9XKT2L")
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in code.lower())
    assert validate_credit_code(fullwidth).code == code


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "不能为空"),
        ("91440300192203821", "18位"),
        ("9144030019220382166", "18位"),
        ("91440300I922038216", "不允许的字符"),  # I is not in the alphabet
        ("Z1440300192203821X", "不允许的字符"),
        ("B1440300192203821X", "登记管理部门"),
        ("9144A300192203821X", "行政区划码"),
    ],
)
def test_malformed_codes_are_rejected_with_a_reason(raw, reason):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(raw)
    assert reason in exc.value.messages[0]


@pytest.mark.parametrize(
    ("prefix", "kind"),
    [("11", "government"), ("12", "public_institution"), ("51", "social_organisation"), ("52", "social_organisation"),
     ("53", "social_organisation"), ("91", "enterprise"), ("92", "individual_business"),
     ("93", "farmer_cooperative"), ("59", "other"), ("N1", "other"), ("31", "other")],
)  # fmt: skip
def test_entity_type_comes_from_the_first_two_characters(prefix, kind):
    assert entity_type_for(prefix + "4101050000000000") == kind
