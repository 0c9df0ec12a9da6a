"""Chinese full-text search.

PostgreSQL: ``Policy.search_vector`` is a tsvector in the 'simple' configuration built
from jieba-segmented text (``cut_for_search``, so that both 高新技术企业 and 高新/技术/企业
are terms): title weight A, summary B, body and interpretations C; GIN index; queries are
segmented the same way. Hits are filtered on ``search_vector`` and ranked with ``ts_rank``
on ``search_rank_vector``, its title/summary part (A and B only): ranking then reads a
~0.1 kB vector per hit instead of detoasting the ~4 kB full one a second time; a hit found
only in the body or an interpretation ranks ~0 (after the title/summary hits, newest first).
Both vectors are maintained by the services (``policy_search_index_update``), never by
signals.

SQLite: every jieba word of the query must occur (icontains) in the title, summary, body
or an interpretation.

Snippets are made here in Python around the matched words, for both databases.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import jieba
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import Case, Exists, F, FloatField, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Interpretation, Policy

_WORD = re.compile(r"\w", re.UNICODE)
CONFIG = "simple"


def _jieba():
    if not getattr(_jieba, "ready", False):
        jieba.setLogLevel(60)
        jieba.initialize()
        _jieba.ready = True
    return jieba


def segment(text: str) -> str:
    """Text as space-separated search terms (lower-cased)."""
    if not text:
        return ""
    words = (w.strip().lower() for w in _jieba().cut_for_search(text))
    return " ".join(w for w in words if w and _WORD.search(w))


# Queries repeat (and one request highlights up to a page of rows with the same query):
# their segmentation is cached per process. jieba's dictionary does not change at run time.
@lru_cache(maxsize=2048)
def _query_terms(q: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for part in q.split():
        for w in segment(part).split():
            seen.setdefault(w, None)
    return tuple(seen)


@lru_cache(maxsize=2048)
def _query_words(q: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for part in q.split():
        for w in _jieba().cut(part):
            w = w.strip().lower()
            if w and _WORD.search(w):
                seen.setdefault(w, None)
    return tuple(seen)


def query_terms(q: str) -> list[str]:
    """Distinct search terms of a query, in order (cut_for_search, like the index)."""
    return list(_query_terms(q or ""))


def query_words(q: str) -> list[str]:
    """The coarse words of a query (plain cut): each must occur for the SQLite fallback."""
    return list(_query_words(q or ""))


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def policy_search_text(policy: Policy, interpretations: Iterable[Interpretation] | None = None) -> dict:
    if interpretations is None:
        interpretations = policy.interpretations.all()
    interp = " ".join(f"{i.title} {i.body} {i.question} {i.answer}" for i in interpretations)
    return {
        "A": f"{policy.title} {policy.doc_number}",
        "B": policy.summary,
        "C": f"{policy.body} {interp}",
    }


def policy_search_index_update(*, policy_ids: Iterable[int]) -> int:
    """Recompute the search vector of the given policies (PostgreSQL; no-op elsewhere)."""
    if not is_postgres():
        return 0
    ids = list(policy_ids)
    policies = Policy.objects.filter(pk__in=ids).prefetch_related("interpretations")
    n = 0
    for policy in policies:
        text = policy_search_text(policy, policy.interpretations.all())
        title = SearchVector(Value(segment(text["A"])), config=CONFIG, weight="A")
        summary = SearchVector(Value(segment(text["B"])), config=CONFIG, weight="B")
        rest = SearchVector(Value(segment(text["C"])), config=CONFIG, weight="C")
        n += Policy.objects.filter(pk=policy.pk).update(
            search_vector=title + summary + rest, search_rank_vector=title + summary
        )
    return n


def policy_search_index_rebuild(*, batch_size: int = 200) -> int:
    ids = list(Policy.objects.order_by("pk").values_list("pk", flat=True))
    total = 0
    for i in range(0, len(ids), batch_size):
        total += policy_search_index_update(policy_ids=ids[i : i + batch_size])
    return total


def apply_text_query(qs: QuerySet, q: str, *, full_text: bool | None = None) -> QuerySet:
    """Filter (and on PostgreSQL rank, as ``rank``) a policy queryset by a Chinese query.
    ``full_text`` forces (or, False, avoids) the tsvector path; default: PostgreSQL or not.

    PostgreSQL: filtered on the full ``search_vector`` (GIN), ranked on the title/summary
    ``search_rank_vector`` (~0 when only the body or an interpretation matches). Both carry
    ``title_match`` (``title_match``), which ``policy_search`` orders by first."""
    q = (q or "").strip()
    if not q:
        return qs
    if full_text is None:
        full_text = is_postgres()
    if full_text:
        terms = query_terms(q)
        if not terms:
            return qs.none()
        query = SearchQuery(" ".join(terms), config=CONFIG, search_type="plain")
        rank = Coalesce(SearchRank(F("search_rank_vector"), query), Value(0.0), output_field=FloatField())
        return qs.filter(search_vector=query).annotate(rank=rank, title_match=title_match(q))
    words = query_words(q) or [q]
    for word in words:
        in_interp = Interpretation.objects.filter(policy=OuterRef("pk")).filter(
            Q(title__icontains=word)
            | Q(body__icontains=word)
            | Q(question__icontains=word)
            | Q(answer__icontains=word)
        )
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(doc_number__icontains=word)
            | Q(summary__icontains=word)
            | Q(body__icontains=word)
            | Exists(in_interp)
        )
    return qs.annotate(rank=Value(1.0), title_match=title_match(q))


def title_match(q: str) -> Case:
    """1 when the title holds every word of the query, else 0: search results order by it
    before the rank, on both databases, so that a title match always comes before a policy
    that only mentions the words in its summary, body or an interpretation (ts_rank alone
    could put a summary with many mentions first, and SQLite has no rank at all)."""
    cond = Q()
    for word in query_words(q) or [q.strip()]:
        cond &= Q(title__icontains=word)
    return Case(When(cond, then=Value(1)), default=Value(0), output_field=IntegerField())


# --- highlighting -----------------------------------------------------------------------


@lru_cache(maxsize=512)
def _pattern(terms: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)


@lru_cache(maxsize=2048)
def _highlight_terms(q: str) -> tuple[str, ...]:
    """The words to mark for a query: its search terms and its coarse words."""
    return tuple(t for t in dict.fromkeys(_query_terms(q) + _query_words(q)) if t)


def _mark(text: str, terms: list[str] | tuple[str, ...]) -> SafeString:
    if not terms:
        return escape(text)
    pattern = _pattern(tuple(terms))
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[pos : m.start()]))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        pos = m.end()
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))


def _interpretation_texts(interpretations) -> list[str]:
    return [f"{i.title} {i.body} {i.question} {i.answer}" for i in interpretations]


def _cut(sources: Iterable[str], terms: tuple[str, ...], width: int) -> str:
    """The text around the first marked word of the first source that has one ("" if none):
    one regular-expression scan per source, which stops at that first word."""
    if not terms:
        return ""
    pattern = _pattern(terms)
    for source in sources:
        m = pattern.search(source or "")
        if m:
            start = max(0, m.start() - width // 2)
            text = ("…" if start else "") + source[start : start + width * 2]
            if start + width * 2 < len(source):
                text += "…"
            return text
    return ""


def _snippet(
    policy: Policy, terms: tuple[str, ...], interpretations: Iterable[str], width: int
) -> SafeString:
    text = _cut([policy.summary, policy.body], terms, width) or _cut(interpretations, terms, width)
    if not text:
        text = (policy.summary or policy.body or "")[: width * 2]
    return _mark(text, terms)


def highlight(policy: Policy, q: str, *, width: int = 60) -> dict:
    """``{"title": html, "snippet": html}`` with the query's words in ``<mark>``.

    The snippet is cut around the first marked word of the first source that has one
    (summary, body, then the interpretations). Uses the prefetched interpretations when
    present (no extra query then), else none."""
    terms = _highlight_terms(q or "")
    cache = getattr(policy, "_prefetched_objects_cache", {})
    interpretations = _interpretation_texts(cache["interpretations"]) if "interpretations" in cache else []
    return {"title": _mark(policy.title, terms), "snippet": _snippet(policy, terms, interpretations, width)}


def snippets(policies: Iterable[Policy], q: str, *, width: int = 60) -> list[SafeString]:
    """The snippets of ``highlight`` for a page of policies, without prefetching their
    interpretations: they are read (one query) only for the rows whose summary and body do
    not contain a query word — usually none."""
    policies = list(policies)
    terms = _highlight_terms(q or "")
    found = {p.pk: _cut([p.summary, p.body], terms, width) for p in policies}
    missing = [pk for pk, text in found.items() if not text]
    by_policy: dict[int, list[Interpretation]] = {}
    if missing and terms:
        for i in Interpretation.objects.filter(policy_id__in=missing).order_by("policy_id", "position", "id"):
            by_policy.setdefault(i.policy_id, []).append(i)
    out = []
    for p in policies:
        if found[p.pk]:
            out.append(_mark(found[p.pk], terms))
        else:
            out.append(_snippet(p, terms, _interpretation_texts(by_policy.get(p.pk, [])), width))
    return out


# --- pagination -------------------------------------------------------------------------


class TotalPaginator(Paginator):
    """A paginator that takes the count from the page's rows when the queryset carries a
    ``search_total`` window annotation (``policy_search(with_total=True)``): one query for
    the page and the count. Anything else (no annotation, an empty page, orphans) is
    paginated as usual."""

    def page(self, number):
        qs = self.object_list
        query = getattr(qs, "query", None)
        if (
            "count" in self.__dict__
            or self.orphans
            or query is None
            or "search_total" not in query.annotations
        ):
            return super().page(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        bottom = (number - 1) * self.per_page
        rows = list(qs[bottom : bottom + self.per_page])
        if not rows:
            return super().page(number)
        self.__dict__["count"] = rows[0].search_total
        return self._get_page(rows, number, self)
