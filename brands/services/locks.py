"""The brand's row lock: what orders two saves of one brand's settings or knowledge made at the same instant.

A settings or knowledge form carries no idempotency key (it answers no customer), so a double click is told
apart by what it would write: under the lock, the second save reads what the first committed and finds it
there (a unique name taken, the same settings) instead of meeting a unique index (a 500) or writing a second
row or audit event. PostgreSQL waits on the row; SQLite's writers already wait for each other
(``transaction_mode`` IMMEDIATE). A person's own limits (API keys, personal saved views) are counted under their
user row the same way (:func:`lock_user`)."""

from django.contrib.auth import get_user_model

from ..models import Brand


def lock_brand(brand_id: int, *, no_key: bool = False) -> Brand:
    """The brand, read and locked until the caller's transaction ends (call it inside ``transaction.atomic``).

    ``no_key``: PostgreSQL's ``FOR NO KEY UPDATE``, which two lockers of the brand still wait on each other for,
    but which lets other transactions insert rows that point at the brand (their ``FOR KEY SHARE``): for a lock
    taken before row locks that a writer of such rows may hold (the customer links lock authors, which ingest
    updates before it inserts mentions), so the two never wait on each other in a circle."""
    return Brand.objects.select_for_update(no_key=no_key).get(pk=brand_id)


def lock_user(user_id: int) -> None:
    """The person's row, locked until the caller's transaction ends: what orders two saves counted against one
    person's limit (a key or a personal view made at once for the last free place)."""
    list(get_user_model().objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True))
