"""``/api/v1/criteria/``: tools on the criteria language for officials (drafting from a text)."""
