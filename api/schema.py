"""OpenAPI generation for the API: every operation documents the error answers any caller
can meet (a bad credential → 401, a throttle → 429 with Retry-After, …), so that a client
generated from the schema knows them all."""

from drf_spectacular.openapi import AutoSchema

_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_FIELD_ERRORS = {
    "type": "object",
    "description": "按字段的错误信息(默认中文；`Accept-Language: en` 为英文)",
    "additionalProperties": True,
    "example": {"district": ["未知的行政区划：火星"]},
}
_DEFAULTS = {
    "400": ("输入有误(按字段给出原因，不做任何修改)", _FIELD_ERRORS),
    "401": ("未认证：缺少、无效或过期的令牌/密钥", _DETAIL),
    "403": ("无权执行(已认证)", _DETAIL),
    "404": ("不存在，或调用方无权查看", _DETAIL),
    "429": ("请求过于频繁或账号临时锁定；见响应头 Retry-After(秒)", _DETAIL),
}


class ApiAutoSchema(AutoSchema):
    def get_auth(self):
        """Anonymous access (``{}``) only where the view says so (``public`` / ``public_actions``)."""
        auths = [a for a in super().get_auth() if a]
        view = self.view
        if getattr(view, "public", False) or getattr(view, "action", None) in getattr(
            view, "public_actions", ()
        ):
            auths.append({})
        return auths

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, (description, schema) in _DEFAULTS.items():
            current = responses.get(code)
            if current is None or "content" not in current:
                responses[code] = {
                    "content": {"application/json": {"schema": schema}},
                    "description": description,
                }
        if "429" in responses:
            responses["429"].setdefault("headers", {})["Retry-After"] = {
                "schema": {"type": "integer"},
                "description": "多少秒后可以重试",
            }
        return responses
