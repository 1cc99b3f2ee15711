"""REST API v1 (docs/api.md): ingest mentions, list and read tickets, act on them, the composer's snippets, the
review workflow. Thin callers of selectors and services: one module per area, named as the views modules
(``ticket``, ``composer``, ``review``) plus ``ingest``; the shapes in ``serializers``, the ``Idempotency-Key``
header in ``keyed``."""
