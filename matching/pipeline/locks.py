"""Why a policy's chunk and an enterprise's re-match never both miss a profile change.

The race: a chunk's ``INSERT … SELECT`` reads the registry as of its statement's snapshot. A
profile change committed after that snapshot is invisible to the chunk, and the re-match it
triggers reads the match rows before the chunk commits: it finds no row to end, and the chunk
then commits a match computed from the old profile.

The rule (PostgreSQL; SQLite runs every write transaction alone, ``transaction_mode=IMMEDIATE``):

1. A chunk commits ``started_at`` in a transaction of its own, then, in its matching
   transaction, takes an exclusive advisory lock on its id (``chunk_lock``) before its first
   statement, and holds it until it commits its rows and ``done``.
2. A re-match of enterprise E (``enterprise_rematch_lock``) first takes an exclusive advisory
   lock on E (two re-matches of one enterprise never interleave), then a shared lock on every
   chunk that is started, not done and covers E, and only then reads the profile and the
   match rows (READ COMMITTED: each later statement sees everything committed before it).

Take a change X of E committed at time t, and its re-match R (it starts after t: it is queued on
X's commit). For a chunk C covering E whose statement snapshot precedes t, C committed
``started_at`` before that snapshot, so before R's chunk query: R sees C as started. Either C is
done (committed: R reads its row and corrects it), or R waits on C's lock until C commits (same),
or C has not taken its lock yet (then C waits for R to commit, and its snapshot follows X: C saw
the new profile). A chunk whose snapshot follows t saw the new profile in the first place. So
every match is computed from the latest profile by whichever of the two comes last; a wrong
push the chunk made is followed by its correction (a "lost" notice, or an updated match).

Keys are two 32-bit integers (namespace, id mod 2^31 − 1); a collision only makes one wait for
an unrelated holder.
"""

from __future__ import annotations

from django.db import connection

_CHUNK = 0x6D61_7401  # "mat\x01"
_ENTERPRISE = 0x6D61_7402
_KEY_MOD = 2_147_483_647


def _pg() -> bool:
    return connection.vendor == "postgresql"


def chunk_lock(chunk_id: int) -> None:
    """Held by a running chunk for its whole matching transaction."""
    if _pg():
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_CHUNK, chunk_id % _KEY_MOD])


def enterprise_rematch_lock(enterprise_id: int) -> int:
    """Serialise re-matches of one enterprise and wait for the chunks that may have read its
    old profile (see the module doc). Call at the start of the re-match's transaction, before
    it reads anything. Returns how many started chunks cover the enterprise."""
    if not _pg():
        return 0
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_ENTERPRISE, enterprise_id % _KEY_MOD])
        cur.execute(
            "SELECT count(pg_advisory_xact_lock_shared(%s, (c.id %% %s)::int)) FROM matching_matchchunk c "
            "WHERE NOT c.done AND c.started_at IS NOT NULL AND c.id_from <= %s AND c.id_to > %s",
            [_CHUNK, _KEY_MOD, enterprise_id, enterprise_id],
        )
        return cur.fetchone()[0]
