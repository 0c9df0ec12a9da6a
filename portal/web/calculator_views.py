"""政策计算器 pages: the screener's steps, its results link and their print view.

Without JavaScript every step is a plain POST carrying the answers so far in hidden inputs;
with it htmx swaps the step in place (``hx-boost``). Nothing is stored until the results:
then the stated facts are kept under an unguessable token (``CalculatorAnswers``) and the
visitor is sent to ``/calculator/r/<token>/``, which recomputes them on the day's policies."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from enterprises import reference
from enterprises.models import EntityType, IndicatorDefinition, IndicatorType, Scale
from matching.criteria import CriteriaError

from . import services
from .calculator import CalculatorForm, calculator_form, calculator_results
from .calculator import _period_label as period_label
from .models import CalculatorAnswers
from .screener import (
    TOPIC_TITLES,
    Question,
    answered_fields,
    next_step,
    questions_of,
    standing,
    stated_profile,
)
from .templatetags.web_tags import money


def _state(request: HttpRequest) -> tuple[QueryDict, set[str], set[str], list[str]]:
    """The posted answers, the questions asked so far, those skipped, and the current step's."""
    data = request.POST.copy() if request.method == "POST" else QueryDict(mutable=True)
    asked = set(data.getlist("asked"))
    skipped = set(data.getlist("skipped"))
    step = data.getlist("step")
    if data.get("skip") in step:
        skipped.add(data["skip"])
    return data, asked, skipped, step


def _answered(questions: list[Question], data: QueryDict, asked: set[str], skipped: set[str]) -> set[str]:
    """Questions answered: asked and not skipped, or with a value posted (a full form posted
    at once, as the tests and older links do, answers what it fills)."""
    filled = {q.key for q in questions if any(data.get(name) not in (None, "") for name in q.fields)}
    return ((asked | filled) - skipped) & {q.key for q in questions}


def _add_criteria_errors(form: CalculatorForm, exc: CriteriaError) -> None:
    for error in getattr(exc, "errors", None) or [{"path": "", "message": str(exc)}]:
        key = (error.get("path") or "").removeprefix("profile.").split(".")[0]
        form.add_error(key if key in form.fields else None, error.get("message", ""))


def _inputs_answered(carried: dict[str, str]) -> int:
    return sum(1 for value in carried.values() if value not in ("", "false"))


@require_http_methods(["GET", "POST"])
def calculator(request: HttpRequest) -> HttpResponse:
    data, asked, skipped, step_keys = _state(request)
    questions = questions_of(calculator_form({}))
    by_key = {q.key: q for q in questions}
    for key in skipped:  # a skipped question's half-filled inputs are not read
        for name in by_key[key].fields if key in by_key else ():
            data.pop(name, None)
    form = calculator_form(data)
    as_of = timezone.localdate()
    position = stated = None
    answered = _answered(questions, data, asked, skipped)
    if form.is_valid():
        try:
            position, stated = standing(form, answered=answered, as_of=as_of)
        except (CriteriaError, ValidationError) as exc:
            if isinstance(exc, CriteriaError):
                _add_criteria_errors(form, exc)
            else:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
    if not form.is_valid() or position is None:
        # the same step again, with each refusal on its field (and any carried field refused)
        wrong = {q.key for q in questions if any(name in form.errors for name in q.fields)}
        step = [q for q in questions if q.key in set(step_keys) | wrong] or questions[:1]
        carried = {k: v for k, v in data.items() if k in form.fields and _is_carried(k, step)}
        return _render_step(request, form, step, carried, asked, skipped, None, status=200)
    asked = asked | set(step_keys) | answered
    carried = answered_fields(form, [by_key[k] for k in answered])
    step = next_step(form, position, asked=asked)
    if request.method == "POST" and ("results" in data or not step):
        kept = services.calculator_answers_keep(
            profile=stated_profile(form, answered=answered), inputs_answered=_inputs_answered(carried)
        )
        if request.headers.get("HX-Request"):  # htmx: a whole page, its address in the bar
            response = HttpResponse()
            response["HX-Redirect"] = reverse("web:calculator_result", args=[kept.token])
            return response
        return redirect("web:calculator_result", token=kept.token)
    return _render_step(
        request, form.__class__(spec=form.spec, as_of=as_of), step, carried, asked, skipped, position
    )


def _is_carried(name: str, step: list[Question]) -> bool:
    on_step = {n for q in step for n in q.fields}
    return name not in on_step and name not in (
        "csrfmiddlewaretoken",
        "asked",
        "skipped",
        "step",
        "skip",
        "results",
    )


def _render_step(request, form, step, carried, asked, skipped, position, status=200) -> HttpResponse:
    topic = step[0].topic if step else ""
    context = {
        "form": form,
        "step": [(q, [form[name] for name in q.fields]) for q in step],
        "step_title": TOPIC_TITLES.get(topic, ""),
        "carried": sorted(carried.items()),
        "asked": sorted(asked),
        "skipped": sorted(skipped),
        "position": position,
        "inputs_answered": _inputs_answered(carried),
        "summary": _summary(carried, form),
    }
    return render(request, "web/calculator.html", context, status=status)


def _summary(carried: dict[str, str], form: CalculatorForm) -> list[tuple[str, str]]:
    """The answers so far, as the visitor reads them (above the step)."""
    out = []
    tags = dict(form.tag_fields)
    for name, value in carried.items():
        field = form.fields.get(name)
        if field is None or name.endswith("_first") or name.endswith("_on"):
            continue
        if name in tags:
            out.append((tags[name], str(_("已获得") if value == "on" else _("未获得"))))
            continue
        shown = value
        if name == "district":
            shown = reference.district_name(value)
        elif name == "zone":
            shown = reference.zone_name(value)
        elif name == "industry":
            shown = f"{value} {reference.industry_name(value)}"
        elif hasattr(field, "choices"):
            shown = dict(field.choices).get(value, value)
        out.append((str(field.label), str(shown)))
    return out


def _answers(token: str) -> CalculatorAnswers:
    kept = CalculatorAnswers.objects.filter(token=token).first()
    if kept is None:
        raise Http404
    return kept


def _results_context(kept: CalculatorAnswers) -> dict:
    try:
        results = calculator_results(profile_data=kept.profile)
    except CriteriaError:  # a fact the vocabulary no longer knows: show what still reads
        results = calculator_results(profile_data={})
    return {"kept": kept, "results": results, "summary": _profile_summary(kept.profile)}


def _profile_summary(profile: dict) -> list[tuple[str, str]]:
    """The stated facts kept with a results link, to show beside the results."""
    out = []
    if profile.get("district"):
        out.append((_("所在区县"), reference.district_name(profile["district"])))
    if profile.get("zone"):
        out.append((_("所在功能区"), reference.zone_name(profile["zone"])))
    if profile.get("industry"):
        out.append((_("所属行业"), f"{profile['industry']} {reference.industry_name(profile['industry'])}"))
    if profile.get("registered_capital"):
        out.append((_("注册资本"), money(profile["registered_capital"])))
    if profile.get("established_on"):
        out.append((_("成立日期"), profile["established_on"]))
    for key, label, choices in (("scale", _("企业规模"), Scale), ("entity_type", _("主体类型"), EntityType)):
        if profile.get(key):
            out.append((label, str(dict(choices.choices).get(profile[key], profile[key]))))
    indicators = profile.get("indicators") or {}
    definitions = {d.code: d for d in IndicatorDefinition.objects.filter(code__in=list(indicators))}
    names = {code: d.name for code, d in definitions.items()}
    for code, values in indicators.items():
        is_money = code in definitions and definitions[code].type == IndicatorType.MONEY
        for period, value in values.items():
            value = money(value) if is_money else value
            out.append(
                (
                    f"{names.get(code, code)}（{period_label(period)}）" if period else names.get(code, code),
                    value,
                )
            )
    for tag in profile.get("tags") or []:
        out.append((_("已获资质"), tag.get("name", "")))
    return out


@require_GET
def calculator_result(request: HttpRequest, token: str) -> HttpResponse:
    return render(request, "web/calculator_result.html", _results_context(_answers(token)))


@require_GET
def calculator_print(request: HttpRequest, token: str) -> HttpResponse:
    return render(request, "web/calculator_print.html", _results_context(_answers(token)))
