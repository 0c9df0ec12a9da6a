"""What the test provider says about its users: e-mail and name (standard claims), and for the
legal-person identities the enterprise's credit code in the id_token (claim ``credit_code``)."""

import json
import os


def userinfo(claims, user):
    claims["name"] = user.get_full_name() or user.username
    claims["email"] = user.email
    claims["email_verified"] = bool(user.email)
    return claims


def id_token_hook(id_token, user, **kwargs):
    codes = json.loads(os.environ.get("SSO_OP_CREDIT_CODES", "{}"))
    if user.username in codes:
        id_token["credit_code"] = codes[user.username]
    return id_token
