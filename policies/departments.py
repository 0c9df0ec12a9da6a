"""Departments (政府资源库): the issuing bodies policies belong to. The API and the admin
validate their input and call these."""

from __future__ import annotations

from django.db import transaction

from .models import Department, DepartmentLevel


@transaction.atomic
def department_create(
    *,
    code: str,
    name: str,
    short_name: str = "",
    level: str = DepartmentLevel.MUNICIPAL,
    parent: Department | None = None,
    contact: str = "",
    website: str = "",
) -> Department:
    department = Department(
        code=code,
        name=name.strip(),
        short_name=short_name,
        level=level,
        parent=parent,
        contact=contact,
        website=website,
    )
    department.full_clean()
    department.save()
    return department
