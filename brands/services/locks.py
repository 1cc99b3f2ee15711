"""The brand's row lock: what orders two saves of one brand's settings or knowledge made at the same instant.

A settings or knowledge form carries no idempotency key (it answers no customer), so a double click is told
apart by what it would write: under the lock, the second save reads what the first committed and finds it
there (a unique name taken, the same settings) instead of meeting a unique index (a 500) or writing a second
row or audit event. PostgreSQL waits on the row; SQLite's writers already wait for each other
(``transaction_mode`` IMMEDIATE)."""

from ..models import Brand


def lock_brand(brand_id: int) -> Brand:
    """The brand, read and locked until the caller's transaction ends (call it inside ``transaction.atomic``)."""
    return Brand.objects.select_for_update().get(pk=brand_id)
