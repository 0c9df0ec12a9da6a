"""Match one policy against the whole registry, set-based, in id-range chunks.

``run_start`` splits the registry into chunks (``MatchChunk`` rows) and enqueues
one task per chunk; several workers share them. ``chunk_run`` does one chunk in one
transaction: one ``INSERT … SELECT`` of the compiled criteria writes the match rows
and, in the same statement, the in-app outbox rows; the external-channel outbox
rows follow from the (small) preference table; the chunk is marked done last. A
killed worker therefore leaves either a whole chunk or nothing, and a redo is a
no-op thanks to ``ON CONFLICT``.

A chunk of a policy that already has match rows (revised, re-published, rebuilt)
is diffed instead: newly qualifying enterprises are told, those that no longer
qualify get ``ended`` and a "lost" notice, the rest are updated silently.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import date

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Case, DecimalField, Func, Max, Min, Sum, TextField, Value, When
from django.utils import timezone

from enterprises.models import Enterprise
from matching import tasks
from matching.criteria import compile_award, compile_missing, compile_tree
from matching.models import MatchChunk, MatchRun, RunStatus, WebhookSubscription
from matching.pipeline.fanout import external_notifications_fanout
from matching.pipeline.locks import chunk_lock
from matching.pipeline.outbox import webhook_deliveries_create
from matching.pipeline.queue import enqueue_on_commit
from policies.models import Policy, PolicyStatus

logger = logging.getLogger(__name__)

END_REASONS = ("withdrawn", "expired")


def today() -> date:
    return timezone.localdate()


@transaction.atomic
def run_start(*, run_id: int) -> None:
    """Split the registry into the run's chunks and enqueue them."""
    _chunks_enqueue(_run_open(run_id=run_id))


@transaction.atomic
def runs_start(*, run_ids: list[int]) -> None:
    """Start many runs at once (the yearly rebuild of every policy) and queue their chunks
    range by range: every policy's chunk of ids [0, 100,000), then of [100,000, 200,000), ….
    Queued policy by policy, each chunk would touch another tenth of the registry and of the
    enterprise-keyed match and outbox indexes; range by range, the workers' reads and index
    inserts stay within one tenth at a time (shared buffers hit, fewer full-page writes)."""
    _chunks_enqueue(sorted(c for run_id in run_ids for c in _run_open(run_id=run_id)))


def _chunks_enqueue(chunks: list[tuple[int, int, int]]) -> None:
    for _id_from, _run_id, chunk_id in chunks:
        enqueue_on_commit(tasks.policy_chunk_run, chunk_id)


def _run_open(*, run_id: int) -> list[tuple[int, int, int]]:
    """Mark the run running and create its chunks; returns the ``(id_from, run_id, chunk_id)``
    of its chunks not done (none when another worker has it, or it ends the policy's matches)."""
    run = MatchRun.objects.select_for_update(skip_locked=True).filter(pk=run_id).first()
    if run is None or run.status != RunStatus.PENDING:
        return []  # another worker has it, or it was started already
    # One run of a policy at a time (the policy row is the lock): two runs at once would share
    # out the same new matches (each told its part to integrators); the next one waits pending
    # and is started when this one closes (``run_totals_close``), then finds what is left.
    policy = Policy.objects.select_for_update(no_key=True).filter(pk=run.policy_id).first()
    if policy is not None and (
        MatchRun.objects.filter(policy_id=run.policy_id, status=RunStatus.RUNNING).exclude(pk=run.pk).exists()
    ):
        return []
    now = timezone.now()
    run.started_at = now
    if policy is None or run.reason in END_REASONS or policy.status != PolicyStatus.PUBLISHED:
        run.ended = policy_matches_end(policy_id=run.policy_id)
        run.status, run.finished_at = RunStatus.DONE, now
        run.save(update_fields=["status", "started_at", "finished_at", "ended"])
        return []
    run.policy_version = policy.version
    run.status = RunStatus.RUNNING
    run.save(update_fields=["status", "started_at", "policy_version"])
    bounds = Enterprise.objects.aggregate(lo=Min("id"), hi=Max("id"))
    if bounds["lo"] is None:
        run.status, run.finished_at = RunStatus.DONE, now
        run.save(update_fields=["status", "finished_at"])
        return []
    size = _chunk_size(policy=policy, lo=bounds["lo"], hi=bounds["hi"])
    MatchChunk.objects.bulk_create(
        [
            MatchChunk(run=run, id_from=lo, id_to=min(lo + size, bounds["hi"] + 1), enqueued_at=now)
            for lo in range(bounds["lo"], bounds["hi"] + 1, size)
        ],
        ignore_conflicts=True,
    )
    chunks = list(MatchChunk.objects.filter(run=run, done=False).values_list("id_from", "run_id", "pk"))
    logger.info("policy %s v%s: %s chunks", policy.pk, policy.version, len(chunks))
    return chunks


def _chunk_size(*, policy: Policy, lo: int, hi: int) -> int:
    """``MATCH_CHUNK_SIZE`` ids a chunk, or the registry in ``MATCH_SMALL_REACH_CHUNKS`` chunks
    (one per worker process) for a policy whose reach is small (a district's, a zone's, one
    industry's: most real policies). Each chunk has fixed costs (a task, its bookkeeping, a range
    scan of every table the criteria read); for a reach of at most ``MATCH_SMALL_REACH_ROWS``
    they outweigh the writes, and ten chunks of a 1,000,000-enterprise registry cost twice their
    floor. The reach is PostgreSQL's estimate of the candidate query (EXPLAIN: planning only, a few
    ms). An estimate that is too low costs speed, never correctness: every chunk is still exact."""
    size = max(1, int(settings.MATCH_CHUNK_SIZE))
    small = settings.MATCH_SMALL_REACH_ROWS
    small = size // 5 if small is None else int(small)
    if hi - lo < size or small <= 0 or connection.vendor != "postgresql":
        return size
    sql, params = candidates_sql(policy=policy, id_from=lo, id_to=hi + 1, as_of=today(), with_missing=False)
    if not sql:
        return size
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cur.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    reach = plan[0]["Plan"]["Plan Rows"]
    if reach > small:
        return size
    parts = max(1, int(settings.MATCH_SMALL_REACH_CHUNKS))
    return max(size, -(-(hi - lo + 1) // parts))


def policy_matches_end(*, policy_id: int) -> int:
    """Withdrawn or expired: every active match of the policy ends (rows are kept)."""
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE matching_match SET status = 'ended', ended_at = %s "
            "WHERE policy_id = %s AND status <> 'ended'",
            [timezone.now(), policy_id],
        )
        return cur.rowcount


_TEMPLATES: dict = {}
# The chunk's bounds are compiled in as these two parameters and put in per chunk: compiling a
# tree (Django expressions, the ids of its indicators and tags, the SQL) costs ~40 ms, once per
# policy version and worker instead of once per chunk (2,000 policies × 10 chunks in a rebuild).
_LO, _HI = -7_000_000_000_000_000_001, -7_000_000_000_000_000_002


def _compiled(policy: Policy, as_of: date, with_missing: bool):
    """Compiled criteria, award and (``with_missing``) missing-data expressions of a policy
    version for the range ``[_LO, _HI)`` (its indicator and tag sets are cut to the range)."""
    id_range = (_LO, _HI)
    compiled = compile_tree(policy.criteria or {}, as_of=as_of, id_range=id_range)
    amount = (
        compile_award(policy.award, as_of=as_of, id_range=id_range)
        if policy.award
        else Value(None, output_field=DecimalField(max_digits=18, decimal_places=2))
    )
    return compiled, amount, _missing_expr(policy, as_of, id_range) if with_missing else []


def _missing_expr(policy: Policy, as_of: date, id_range: tuple[int, int]) -> list:
    """What a possible match lacks: text parts whose concatenation is ``,<item>,<item>…``
    (``compile_missing``: one ``CASE`` per label for a small tree, one scalar sub-query that
    evaluates each condition once for a large one). Only evaluated for a possible row."""
    return compile_missing(policy.criteria or {}, as_of=as_of, id_range=id_range)


def candidates_sql(
    *, policy: Policy, id_from: int, id_to: int, as_of: date, with_missing: bool = True
) -> tuple[str, list]:
    """SQL of ``(id, m_status, m_amount, m_missing)`` for every enterprise in the range that is
    eligible or possible: one SELECT built from the compiled criteria. ``m_missing`` is the
    JSON array of what a possible match lacks (NULL when eligible, or unless ``with_missing``).
    ``("", [])`` when no one can qualify."""
    # (the creation time with the id: a restarted sequence gives an id to another policy)
    key = (policy.pk, policy.created_at, policy.version, as_of, connection.vendor, with_missing)
    hit = _TEMPLATES.get(key)
    if hit is None or hit[0] != (policy.criteria, policy.award):
        if len(_TEMPLATES) > 1000:
            _TEMPLATES.clear()
        hit = _TEMPLATES[key] = (
            (policy.criteria, policy.award),
            _candidates_template(policy, as_of, with_missing),
        )
    sql, params = hit[1]
    return sql, [id_from if p == _LO else id_to if p == _HI else p for p in params]


def _candidates_template(policy: Policy, as_of: date, with_missing: bool) -> tuple[str, list]:
    """The SELECT for the range ``[_LO, _HI)``. The eligibility condition (T) is written once:
    status and missing data come from one column ``m_sm`` = ``'e'`` when T holds, else ``'p'``
    followed by the ``,<item>`` parts of the unknown conditions (evaluated only for those rows).
    Each copy of a condition in the SQL is a subplan of its own (a tag set is built once per
    copy), so the inner SELECT is fenced (``OFFSET 0``) and the outer one only cuts ``m_sm``."""
    compiled, amount, parts = _compiled(policy, as_of, with_missing)
    qs = Enterprise.objects.filter(id__gte=_LO, id__lt=_HI)
    if compiled.false is True:  # no one can qualify
        return "", []
    if compiled.false is not False:
        qs = qs.exclude(compiled.false)
    # flat ``||`` (Concat nests pairs, and SQLite's parser has a small stack)
    possible = (
        Func(*parts, template="('p' || %(expressions)s)", arg_joiner=" || ", output_field=TextField())
        if parts
        else Value("p", output_field=TextField())
    )
    if compiled.true is True:
        sm = Value("e", output_field=TextField())
    elif compiled.true is False:
        sm = possible
    else:
        sm = Case(When(compiled.true, then=Value("e")), default=possible, output_field=TextField())
    qs = qs.annotate(m_sm=sm, m_amount=amount).values_list("id", "m_sm", "m_amount").order_by()
    try:
        inner, params = qs.query.get_compiler(using=qs.db).as_sql()
    except EmptyResultSet:
        return "", []
    params = list(params)
    assert params.count(_LO) >= 1 and params.count(_HI) >= 1, "the chunk bounds must be parameters"
    missing_text = "NULLIF('[' || substr(x.m_sm, 3) || ']', '[]')"  # 'p,{…},{…}' → '[{…},{…}]'
    if connection.vendor == "postgresql":
        fence, missing_sql = "OFFSET 0", f"CAST({missing_text} AS JSONB)"
    else:
        fence, missing_sql = "LIMIT -1 OFFSET 0", missing_text
    sql = (
        f"SELECT x.id AS id, CASE substr(x.m_sm, 1, 1) WHEN 'e' THEN 'eligible' ELSE 'possible' END AS m_status, "
        f"x.m_amount AS m_amount, {missing_sql} AS m_missing FROM ({inner} {fence}) x"
    )
    return sql, params


def _chunk_started(chunk_id: int) -> bool:
    """Commit ``started_at`` before the matching transaction (``locks``: a re-match waits for
    started chunks; the repair run redoes a started chunk whose row nobody holds)."""
    with transaction.atomic():
        if (
            not MatchChunk.objects.select_for_update(skip_locked=True)
            .filter(pk=chunk_id, done=False)
            .exists()
        ):
            return False  # done already, or being done by another worker right now
        MatchChunk.objects.filter(pk=chunk_id).update(started_at=timezone.now())
    return True


def chunk_run(*, chunk_id: int) -> None:
    if not _chunk_started(chunk_id):
        return
    with transaction.atomic():
        chunk = (
            MatchChunk.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("run")
            .filter(pk=chunk_id, done=False)
            .first()
        )
        if chunk is None:
            return  # done already, or being done by another worker right now
        chunk_lock(chunk.pk)
        run = chunk.run
        policy = Policy.objects.filter(pk=run.policy_id).first()
        stale = (
            policy is None or policy.status != PolicyStatus.PUBLISHED or policy.version != run.policy_version
        )
        matched = ended = 0
        started = time.monotonic()
        if not stale:
            matched, ended = chunk_match(
                policy=policy, id_from=chunk.id_from, id_to=chunk.id_to, as_of=today()
            )
        logger.info(
            "policy %s v%s ids [%s, %s): %s new, %s ended in %.0f ms",
            run.policy_id,
            run.policy_version,
            chunk.id_from,
            chunk.id_to,
            matched,
            ended,
            (time.monotonic() - started) * 1000,
        )
        now = timezone.now()
        MatchChunk.objects.filter(pk=chunk.pk).update(done=True, done_at=now, matched=matched, ended=ended)
        _run_finish_if_complete(run_id=run.pk)
        if matched or ended:
            enqueue_on_commit(tasks.deliveries_plan)


def _run_finish_if_complete(*, run_id: int) -> None:
    # Serialise the check on the run row: of two chunks finishing at once, the second waits
    # for the first to commit and then sees it done (READ COMMITTED: a fresh snapshot per statement).
    list(MatchRun.objects.select_for_update().filter(pk=run_id).values_list("pk", flat=True))
    open_chunks = MatchChunk.objects.filter(run_id=run_id, done=False).exists()
    if not open_chunks:
        run_totals_close(run_id=run_id)


def run_totals_close(*, run_id: int) -> None:
    totals = MatchChunk.objects.filter(run_id=run_id).aggregate(m=Sum("matched"), e=Sum("ended"))
    closed = MatchRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        status=RunStatus.DONE, finished_at=timezone.now(), matched=totals["m"] or 0, ended=totals["e"] or 0
    )
    if closed:
        run_webhooks_notify(run_id=run_id)
        policy_id = MatchRun.objects.filter(pk=run_id).values_list("policy_id", flat=True).first()
        for waiting in MatchRun.objects.filter(policy_id=policy_id, status=RunStatus.PENDING).values_list(
            "pk", flat=True
        ):
            enqueue_on_commit(tasks.policy_run_start, waiting)


def run_webhooks_notify(*, run_id: int) -> int:
    """``policy.matched`` to integrator subscriptions (those not tied to one enterprise): once per
    run that found something (new or ended matches), keyed by the policy version and the run."""
    run = MatchRun.objects.get(pk=run_id)
    if not (run.matched or run.ended):
        return 0
    subs = [
        s
        for s in WebhookSubscription.objects.filter(active=True, enterprise__isnull=True)
        if s.wants("policy.matched")
    ]
    if not subs:
        return 0
    payload = {
        "event": "policy.matched",
        "policy_id": run.policy_id,
        "policy_version": run.policy_version,
        "reason": run.reason,
        "new_matches": run.matched,
        "ended": run.ended,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }
    return webhook_deliveries_create(
        subscriptions=subs,
        event="policy.matched",
        key=f"policy.matched:{run.policy_id}:v{run.policy_version}:run{run_id}",
        payload=payload,
    )


_EMPTY = (
    "SELECT id, 'eligible' AS m_status, NULL AS m_amount, NULL AS m_missing "
    "FROM enterprises_enterprise WHERE 1 = 0"
)


def _candidates(*, policy: Policy, id_from: int, id_to: int, as_of: date, with_missing: bool = True):
    sql, params = candidates_sql(
        policy=policy, id_from=id_from, id_to=id_to, as_of=as_of, with_missing=with_missing
    )
    # The criteria exclude everyone: an empty set of the right shape.
    return (sql, params) if sql else (_EMPTY, [])


def chunk_match(*, policy: Policy, id_from: int, id_to: int, as_of: date) -> tuple[int, int]:
    """Write the match and outbox rows of one id range. Returns (new matches, ended)."""
    now = timezone.now()
    rng = {"policy": policy, "id_from": id_from, "id_to": id_to, "as_of": as_of}
    has_rows = _policy_has_rows_in_range(policy_id=policy.pk, id_from=id_from, id_to=id_to)
    if connection.vendor == "postgresql" and not has_rows:
        matched, ended = _chunk_fresh_pg(policy=policy, cand=_candidates(**rng), now=now), 0
    else:
        matched, ended = _chunk_diff(
            policy=policy,
            id_from=id_from,
            id_to=id_to,
            now=now,
            ids=_candidates(**rng, with_missing=False),
            cand=_candidates(**rng),
        )
    if matched or ended:
        external_notifications_fanout(
            policy_id=policy.pk, policy_version=policy.version, id_from=id_from, id_to=id_to, now=now
        )
    return matched, ended


def _policy_has_rows_in_range(*, policy_id: int, id_from: int, id_to: int) -> bool:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT 1 FROM matching_match WHERE policy_id = %s AND enterprise_id >= %s AND enterprise_id < %s LIMIT 1",
            [policy_id, id_from, id_to],
        )
        return cur.fetchone() is not None


# A gain over an existing row m for a candidate c (told, and the match's episode moves on):
# it had ended, or it was possible and is now eligible (the upsert below bumps ``episode`` on the
# same condition).
_GAINED = "(m.status = 'ended' OR (m.status = 'possible' AND c.m_status = 'eligible'))"
# The reason of an in-app notice for a new match, from the match status.
_NEW_REASON = "CASE c.status WHEN 'eligible' THEN 'new_match' ELSE 'possible' END"
_NEW_REASON_CAND = "CASE c.m_status WHEN 'eligible' THEN 'new_match' ELSE 'possible' END"


def _chunk_fresh_pg(*, policy: Policy, cand: tuple[str, list], now) -> int:
    """First run of a policy over this range: one statement writes matches (with what the
    possible ones lack) and their in-app outbox rows."""
    cand_sql, cand_params = cand
    sql = f"""
        WITH cand(id, status, amount, missing) AS ({cand_sql}),
        ins AS (
            INSERT INTO matching_match (policy_id, enterprise_id, policy_version, status, amount, missing, matched_at)
            SELECT %s, id, %s, status, CAST(amount AS NUMERIC), missing, %s FROM cand
            ON CONFLICT DO NOTHING
            RETURNING enterprise_id, status
        ),
        outbox AS (
            INSERT INTO matching_notification (enterprise_id, policy_id, policy_version, channel, reason, created_at)
            SELECT c.enterprise_id, %s, %s, 'inapp', {_NEW_REASON}, %s FROM ins c
            ON CONFLICT DO NOTHING
        )
        SELECT count(*) FROM ins
    """
    params = cand_params + [policy.pk, policy.version, now, policy.pk, policy.version, now]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def _chunk_diff(*, policy: Policy, id_from: int, id_to: int, ids: tuple, cand: tuple, now) -> tuple[int, int]:
    """Diff the new set against the existing rows of this range (portable SQL). ``ids`` is the
    candidate SELECT without the missing data (enough to find gains and losses). The candidates are
    a ``WITH`` at the top of each INSERT's SELECT (of the UPDATE's one sub-query) rather than a
    sub-query nested in it: SQLite's parser stack (~100) is shared by every level of nesting, and a
    large policy's criteria need it (PostgreSQL inlines a CTE used once: the same plan). Not before
    the INSERT: Python's sqlite3 then reports no rowcount.

    On PostgreSQL the candidates are computed once into a temporary table that every statement
    reads: each statement has a snapshot of its own, and a profile changed between two of them would
    otherwise give a notice without its match (``locks``: the re-match corrects the match, and must
    find the notices agreeing with it). SQLite runs the whole transaction alone."""
    pid, ver = policy.pk, policy.version
    cand_sql, cand_params = ids
    now = connection.ops.adapt_datetimefield_value(now)  # as the ORM writes it (the fan-out compares)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # (dropped at commit; a caller that ran another chunk in its transaction left one)
            cur.execute("DROP TABLE IF EXISTS pg_temp.matching_chunk_cand")
            cur.execute(f"CREATE TEMPORARY TABLE matching_chunk_cand ON COMMIT DROP AS {cand[0]}", cand[1])
            ids = cand = ("SELECT * FROM matching_chunk_cand", [])
            cand_sql, cand_params = ids
        # 1. newly qualifying (no row, or an ended one) → in-app notice. The range on m as well as
        # on c: without it a stale estimate of the policy's rows let the planner hash all of them in
        # every chunk (976,709 rows × 100 chunks for a 10 % policy at 10,000,000 enterprises).
        cur.execute(
            f"""
            INSERT INTO matching_notification
                (enterprise_id, policy_id, policy_version, channel, reason, occurrence, created_at)
            WITH c AS ({cand_sql})
            SELECT c.id, %s, %s, 'inapp', {_NEW_REASON_CAND}, COALESCE(m.episode, 0) + 1, %s
            FROM c
            LEFT JOIN matching_match m ON m.policy_id = %s AND m.enterprise_id = c.id
                                      AND m.enterprise_id >= %s AND m.enterprise_id < %s
            WHERE (m.enterprise_id IS NULL OR {_GAINED})
            ON CONFLICT DO NOTHING
            """,
            [*cand_params, pid, ver, now, pid, id_from, id_to],
        )
        matched = cur.rowcount
        # 2. no longer qualifying → a "lost" notice, then the row ends
        lost_where = (
            "m.policy_id = %s AND m.enterprise_id >= %s AND m.enterprise_id < %s AND m.status <> 'ended' "
            "AND m.enterprise_id NOT IN (SELECT c.id FROM c)"
        )
        lost_params = [pid, id_from, id_to]
        cur.execute(
            f"""
            INSERT INTO matching_notification
                (enterprise_id, policy_id, policy_version, channel, reason, occurrence, created_at)
            WITH c AS ({cand_sql})
            SELECT m.enterprise_id, %s, %s, 'inapp', 'lost', m.episode, %s FROM matching_match m WHERE {lost_where}
            ON CONFLICT DO NOTHING
            """,
            [*cand_params, pid, ver, now, *lost_params],
        )
        cur.execute(
            "UPDATE matching_match SET status = 'ended', ended_at = %s WHERE policy_id = %s "
            "AND enterprise_id >= %s AND enterprise_id < %s AND status <> 'ended' "
            f"AND enterprise_id NOT IN (WITH c AS ({cand_sql}) SELECT c.id FROM c)",
            [now, pid, id_from, id_to, *cand_params],
        )
        ended = cur.rowcount
        # 3. upsert the new set; rows whose verdict is unchanged are left alone, keeping the version
        # they were written at (a revision that changes 5 % of a policy's matches writes 5 % of its
        # rows, not all: Match.policy_version)
        cand_sql, cand_params = cand
        cur.execute(
            f"""
            INSERT INTO matching_match (policy_id, enterprise_id, policy_version, status, amount, missing, matched_at)
            WITH c AS ({cand_sql})
            SELECT %s, c.id, %s, c.m_status, CAST(c.m_amount AS NUMERIC), c.m_missing, %s
            FROM c WHERE 1 = 1
            ON CONFLICT (policy_id, enterprise_id) DO UPDATE SET
                policy_version = excluded.policy_version,
                status = excluded.status,
                amount = excluded.amount,
                missing = excluded.missing,
                matched_at = CASE WHEN matching_match.status = 'ended' THEN excluded.matched_at
                                  ELSE matching_match.matched_at END,
                episode = CASE WHEN matching_match.status = 'ended'
                                    OR (matching_match.status = 'possible' AND excluded.status = 'eligible')
                               THEN matching_match.episode + 1 ELSE matching_match.episode END,
                ended_at = NULL
            WHERE matching_match.status <> excluded.status
               OR matching_match.amount IS DISTINCT FROM excluded.amount
               OR matching_match.missing IS DISTINCT FROM excluded.missing
            """.replace(
                "IS DISTINCT FROM", "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
            ),
            [*cand_params, pid, ver, now],
        )
    return matched, ended
