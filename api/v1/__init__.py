"""Version 1 of the public API (DESIGN §6): one package per resource, each with its views,
serializers and schema; shared pieces in ``common``. Views validate input and call one
service or selector of the owning domain app; nothing below ``api`` is imported by the domain."""
