"""Who hears about a case: the enterprise (in-app message) and the department heads
(``applications.DepartmentHead``: one register of heads for every escalation)."""

from django.contrib.auth import get_user_model

from inbox.services import message_send


def department_heads(department):
    if department is None:
        return get_user_model().objects.none()
    return (
        get_user_model().objects.filter(headed_departments__department=department, is_active=True).distinct()
    )


def department_officials(department):
    if department is None:
        return get_user_model().objects.none()
    return get_user_model().objects.filter(departments=department, is_active=True)


def notify_enterprise(enterprise, *, title: str, link: str, body: str = "") -> None:
    message_send(
        kind="case", enterprise=enterprise, title=title, body=body, link=link, key=f"case|{link}|{title}"
    )


def notify_department_heads(department, *, title: str, link: str, heads_only: bool = True) -> int:
    recipients = department_heads(department) if heads_only else department_officials(department)
    sent = 0
    for user in recipients:
        if message_send(
            kind="case_staff", user=user, title=title, link=link, key=f"staff|{user.pk}|{link}|{title}"
        ):
            sent += 1
    return sent
