"""Pages for liaison officials: my enterprises, the pre-visit briefing, the visit log, coverage."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from enterprises.models import Enterprise
from portal.accounts.decorators import official_required

from . import selectors, services
from .forms import ReassignForm, VisitForm
from .models import Assignment


def _enterprise_for_official(request, enterprise_id: int) -> Enterprise:
    enterprise = get_object_or_404(Enterprise, pk=enterprise_id)
    if (
        not request.user.is_superuser
        and not Assignment.objects.filter(enterprise=enterprise, official=request.user, active=True).exists()
    ):
        # Only an enterprise's liaison officials (and administrators) open its briefing.
        raise PermissionDenied
    return enterprise


@official_required
def my_enterprises(request):
    assignments = selectors.assignments_for_official(official=request.user)
    return render(request, "liaison/my_enterprises.html", {"assignments": assignments})


@official_required
def briefing(request, enterprise_id: int):
    enterprise = _enterprise_for_official(request, enterprise_id)
    context = selectors.briefing_for_enterprise(enterprise=enterprise)
    return render(request, "liaison/briefing.html", context)


@official_required
def visit_new(request, enterprise_id: int):
    enterprise = _enterprise_for_official(request, enterprise_id)
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_record(
                enterprise=enterprise,
                visited_on=form.cleaned_data["visited_on"],
                officials=[request.user],
                discussed=form.cleaned_data["discussed"],
                actor=request.user,
                problems=form.problems(),
            )
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                target = {
                    "problems[0].title": "problem_title",
                    "problems[0].description": "problem_description",
                    "problems[0].category": "problem_category",
                }.get(field, field)
                form.add_error(target if target in form.fields else None, errs)
        else:
            messages.success(request, _("走访记录已保存"))
            return redirect("liaison:briefing", enterprise_id=enterprise.pk)
    return render(request, "liaison/visit_form.html", {"form": form, "enterprise": enterprise})


@official_required
def coverage(request):
    form = ReassignForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_superuser:
            raise PermissionDenied
        if form.is_valid():
            User = get_user_model()
            try:
                moved = services.assignments_reassign(
                    from_official=get_object_or_404(User, username=form.cleaned_data["from_username"]),
                    to_official=get_object_or_404(User, username=form.cleaned_data["to_username"]),
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except ValidationError as exc:
                for errs in exc.message_dict.values():
                    form.add_error(None, errs)
            else:
                messages.success(request, _("已将 %d 家企业转交接替干部") % moved)
                return redirect("liaison:coverage")
    return render(
        request,
        "liaison/coverage.html",
        {"total": selectors.coverage_total(), "rows": selectors.coverage_by_district(), "form": form},
    )
