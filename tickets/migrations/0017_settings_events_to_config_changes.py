"""Copy the settings and knowledge events (``settings.*``, ``snippet.*``, ``product.*``: no ticket) into the brand's
configuration audit trail, ``brands.ConfigChange``; from now on those changes are recorded there alone. The events
stay where they are (the event log is append-only); reversing deletes the copies."""

from django.conf import settings
from django.db import migrations

AREAS = {
    "settings.sla_changed": ("sla", "sla_settings.updated"),
    "settings.review_changed": ("review", "review_policy.updated"),
    "settings.routing_changed": ("assignment", "assignment.updated"),
}
KNOWLEDGE_PREFIXES = ("snippet.", "product.")


def _sides(changed: dict) -> tuple[dict, dict]:
    """``{field: {"before": a, "after": b}}`` → ``({field: a}, {field: b})``."""
    before, after = {}, {}
    for name, pair in (changed or {}).items():
        if isinstance(pair, dict) and "before" in pair and "after" in pair:
            before[name], after[name] = pair["before"], pair["after"]
    return before, after


def _copy(event, names: dict, titles: dict) -> dict | None:
    data = event.data or {}
    if event.kind in AREAS:
        area, kind = AREAS[event.kind]
        before, after = _sides(data)
        object_id, label = None, ""
    elif event.kind.startswith(KNOWLEDGE_PREFIXES):
        area, kind = "knowledge", event.kind
        model = event.kind.split(".")[0]
        object_id = data.get(model)
        if "after" in data:  # snippet.created: every value
            before, after = {}, {"version": data.get("version", 1), **data["after"]}
        else:
            before, after = _sides(data.get("changed"))
            if "version" in data:
                before, after = {"version": data["version"] - 1, **before}, {"version": data["version"], **after}
        label = titles.get((model, object_id), "") or str(after.get("title") or after.get("name") or "")
    else:
        return None
    return {
        "brand_id": event.brand_id,
        "actor_id": event.actor_id,
        "actor_name": names.get(event.actor_id, ""),
        "source": "page",
        "area": area,
        "kind": kind,
        "object_id": object_id if isinstance(object_id, int) else None,
        "object_repr": label[:200],
        "before": before,
        "after": after,
        "created_at": event.created_at,
        "legacy_event_id": event.pk,
    }


def forwards(apps, schema_editor):
    Event = apps.get_model("tickets", "Event")
    ConfigChange = apps.get_model("brands", "ConfigChange")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    Snippet = apps.get_model("brands", "Snippet")
    Product = apps.get_model("brands", "Product")
    events = Event.objects.filter(ticket__isnull=True).exclude(pk__in=ConfigChange.objects.values("legacy_event_id"))
    events = events.filter(kind__in=list(AREAS)) | events.filter(kind__startswith="snippet.") | events.filter(
        kind__startswith="product."
    )
    titles = {("snippet", pk): title for pk, title in Snippet.objects.values_list("pk", "title")}
    titles |= {("product", pk): name for pk, name in Product.objects.values_list("pk", "name")}
    batch = list(events.order_by("pk"))
    names = dict(User.objects.filter(pk__in={e.actor_id for e in batch}).values_list("pk", "username"))
    rows = [row for event in batch if (row := _copy(event, names, titles)) is not None]
    ConfigChange.objects.bulk_create([ConfigChange(**row) for row in rows], batch_size=500)


def backwards(apps, schema_editor):
    ConfigChange = apps.get_model("brands", "ConfigChange")
    ConfigChange.objects.filter(legacy_event_id__isnull=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0016_conversation_key_holds_the_longest_id"),
        ("brands", "0009_config_change"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
