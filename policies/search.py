"""Chinese full-text search.

PostgreSQL: ``Policy.search_vector`` is a tsvector in the 'simple' configuration built
from jieba-segmented text (``cut_for_search``, so that both 高新技术企业 and 高新/技术/企业
are terms): title weight A, summary B, body and interpretations C; GIN index; queries are
segmented the same way and ranked with ``ts_rank``. The vector is maintained by the
services (``policy_search_index_update``), never by signals.

SQLite: every jieba word of the query must occur (icontains) in the title, summary, body
or an interpretation.

Snippets are made here in Python around the matched words, for both databases.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Interpretation, Policy

_WORD = re.compile(r"\w", re.UNICODE)
CONFIG = "simple"


def _jieba():
    import jieba

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


def query_terms(q: str) -> list[str]:
    """Distinct search terms of a query, in order (cut_for_search, like the index)."""
    seen: dict[str, None] = {}
    for part in (q or "").split():
        for w in segment(part).split():
            seen.setdefault(w, None)
    return list(seen)


def query_words(q: str) -> list[str]:
    """The coarse words of a query (plain cut): each must occur for the SQLite fallback."""
    seen: dict[str, None] = {}
    for part in (q or "").split():
        for w in _jieba().cut(part):
            w = w.strip().lower()
            if w and _WORD.search(w):
                seen.setdefault(w, None)
    return list(seen)


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
        vector = (
            SearchVector(Value(segment(text["A"])), config=CONFIG, weight="A")
            + SearchVector(Value(segment(text["B"])), config=CONFIG, weight="B")
            + SearchVector(Value(segment(text["C"])), config=CONFIG, weight="C")
        )
        n += Policy.objects.filter(pk=policy.pk).update(search_vector=vector)
    return n


def policy_search_index_rebuild(*, batch_size: int = 200) -> int:
    ids = list(Policy.objects.order_by("pk").values_list("pk", flat=True))
    total = 0
    for i in range(0, len(ids), batch_size):
        total += policy_search_index_update(policy_ids=ids[i : i + batch_size])
    return total


def apply_text_query(qs: QuerySet, q: str, *, full_text: bool | None = None) -> QuerySet:
    """Filter (and on PostgreSQL rank, as ``rank``) a policy queryset by a Chinese query.
    ``full_text`` forces (or, False, avoids) the tsvector path; default: PostgreSQL or not."""
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
        return qs.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))
    words = query_words(q) or [q]
    for word in words:
        in_interp = Interpretation.objects.filter(policy=OuterRef("pk")).filter(
            Q(title__icontains=word) | Q(body__icontains=word) | Q(question__icontains=word) | Q(answer__icontains=word)
        )
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(doc_number__icontains=word)
            | Q(summary__icontains=word)
            | Q(body__icontains=word)
            | Exists(in_interp)
        )
    return qs.annotate(rank=Value(1.0))


# --- highlighting -----------------------------------------------------------------------


def _mark(text: str, terms: list[str]) -> SafeString:
    if not terms:
        return escape(text)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[pos : m.start()]))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        pos = m.end()
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))


def highlight(policy: Policy, q: str, *, width: int = 60) -> dict:
    """``{"title": html, "snippet": html}`` with the query's words in ``<mark>``.

    Uses the prefetched interpretations when present (no extra query then)."""
    terms = [t for t in dict.fromkeys(query_terms(q) + query_words(q)) if t]
    title = _mark(policy.title, terms)
    sources = [policy.summary, policy.body]
    cache = getattr(policy, "_prefetched_objects_cache", {})
    if "interpretations" in cache:
        sources += [f"{i.title} {i.body} {i.question} {i.answer}" for i in cache["interpretations"]]
    text = ""
    lowered = [t.lower() for t in terms]
    for source in sources:
        low = (source or "").lower()
        hits = [low.find(t) for t in lowered if t and low.find(t) >= 0]
        if hits:
            start = max(0, min(hits) - width // 2)
            text = ("…" if start else "") + source[start : start + width * 2]
            if start + width * 2 < len(source):
                text += "…"
            break
    if not text:
        text = (policy.summary or policy.body or "")[: width * 2]
    return {"title": title, "snippet": _mark(text, terms)}


# --- pagination -------------------------------------------------------------------------


class TotalPaginator(Paginator):
    """A paginator that takes the count from the page's rows when the queryset carries a
    ``search_total`` window annotation (``policy_search(with_total=True)``): one query for
    the page and the count. Anything else (no annotation, an empty page, orphans) is
    paginated as usual."""

    def page(self, number):
        qs = self.object_list
        query = getattr(qs, "query", None)
        if "count" in self.__dict__ or self.orphans or query is None or "search_total" not in query.annotations:
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
