"""Error answers as documented on each operation (``api.schema`` adds the defaults), the one
way to list an operation's answers, and the credit codes the examples use (valid codes: a
documented example is data the API accepts)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema

from enterprises.reference import credit_code_from_parts

ERROR_400 = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description='输入有误：按字段给出原因，如 `{"district": ["未知的行政区划：郑州东"]}`',
    examples=[OpenApiExample("字段错误", value={"district": ["未知的行政区划：郑州东"]})],
)
ERROR_401 = OpenApiResponse(response=OpenApiTypes.OBJECT, description="未提供或无效的令牌/密钥")
ERROR_403 = OpenApiResponse(response=OpenApiTypes.OBJECT, description="已认证但无此权限(或缺少密钥权限范围)")
ERROR_404 = OpenApiResponse(response=OpenApiTypes.OBJECT, description="不存在，或调用方无权查看")
ERRORS = {400: ERROR_400, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404}

# Examples' enterprises: valid GB 32100 codes (both check characters computed), in Zhengzhou.
EXAMPLE_CREDIT_CODE = credit_code_from_parts(prefix="91", region="410122", org_body="MA46A0B1")
EXAMPLE_CREDIT_CODE_2 = credit_code_from_parts(prefix="91", region="410105", org_body="MA45E6K8")


def answers(body, *errors: int, status: int = 200) -> dict:
    """An operation's documented answers: ``body`` on ``status`` (200 unless said) and the
    listed error answers (400, 401, 403, 404)."""
    return {status: body, **{code: ERRORS[code] for code in errors}}


def operation(tag: str, summary: str, body, *errors: int, status: int = 200, **more):
    """One operation's documentation: its tag, summary, answers (``answers``) and any other
    ``extend_schema`` argument (request, description, examples, …)."""
    return extend_schema(summary=summary, tags=[tag], responses=answers(body, *errors, status=status), **more)


def example(name: str, value, *, response: bool = False, status: int | None = None) -> OpenApiExample:
    """A request example, or with ``response`` an example of the answer (on ``status``)."""
    if not response:
        return OpenApiExample(name, value=value, request_only=True)
    return OpenApiExample(
        name, value=value, response_only=True, status_codes=[str(status)] if status else None
    )
