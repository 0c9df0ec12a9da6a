"""Single sign-on through OpenID Connect (the government's unified identity service,
统一身份认证; for enterprises the legal-person identity / 电子营业执照). See docs/accounts.md
"Single sign-on (OIDC)"."""
