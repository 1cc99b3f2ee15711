"""The brand's row lock: what orders two saves of one brand's settings or knowledge made at the same instant.

A settings or knowledge form carries no idempotency key (it answers no customer), so a double click is told
apart by what it would write: under the lock, the second save reads what the first committed and finds it
there (a unique name taken, the same settings) instead of meeting a unique index (a 500) or writing a second
row or audit event. PostgreSQL waits on the row; SQLite's writers already wait for each other
(``transaction_mode`` IMMEDIATE)."""

from ..models import Brand


def lock_brand(brand_id: int, *, no_key: bool = False) -> Brand:
    """The brand, read and locked until the caller's transaction ends (call it inside ``transaction.atomic``).

    ``no_key``: PostgreSQL's ``FOR NO KEY UPDATE``, which two lockers of the brand still wait on each other for,
    but which lets other transactions insert rows that point at the brand (their ``FOR KEY SHARE``): for a lock
    taken before row locks that a writer of such rows may hold (the customer links lock authors, which ingest
    updates before it inserts mentions), so the two never wait on each other in a circle."""
    return Brand.objects.select_for_update(no_key=no_key).get(pk=brand_id)
