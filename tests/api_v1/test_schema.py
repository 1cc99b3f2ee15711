"""The OpenAPI description: generated from the code without a warning, served at /api/v1/schema/, browsable at
/api/v1/docs/ from our own static files; every operation with a stable id and its errors."""

from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

#: operation ids are part of the contract: clients generated from the schema call them by name
OPERATION_IDS = {
    "mentions_ingest",
    "replies_approve",
    "replies_request_changes",
    "reviews_list",
    "snippets_search",
    "tickets_list",
    "tickets_retrieve",
    "tickets_action",
    "tickets_notes_create",
    "tickets_render_snippet",
    "tickets_replies_create",
    "tickets_suggestions",
    "tickets_priority",
    "tickets_tags_set",
    "replies_retrieve",
    "replies_retry",
    "channel_accounts_list",
    # knowledge, reports, channel accounts, settings (apimore)
    "knowledge_snippets_list",
    "knowledge_snippets_create",
    "knowledge_snippets_retrieve",
    "knowledge_snippets_update",
    "knowledge_snippets_archive",
    "knowledge_snippets_unarchive",
    "knowledge_snippets_restore",
    "knowledge_snippet_versions_list",
    "knowledge_snippet_versions_retrieve",
    "knowledge_products_list",
    "knowledge_products_create",
    "knowledge_products_retrieve",
    "knowledge_products_update",
    "reports_retrieve",
    "reports_tickets_list",
    "channel_accounts_retrieve",
    "channel_accounts_status",
    "settings_retrieve",
    "settings_sla_retrieve",
    "settings_sla_update",
    "settings_review_retrieve",
    "settings_review_update",
    "settings_csat_retrieve",
    "settings_csat_update",
    "settings_goals_retrieve",
    "settings_goals_update",
    "settings_webhooks_list",
    # settings, more areas (apiset)
    "settings_priority_retrieve",
    "settings_priority_update",
    "settings_priority_urgency_create",
    "settings_priority_urgency_destroy",
    "settings_priority_spam_create",
    "settings_priority_spam_destroy",
    "settings_priority_blocked_create",
    "settings_priority_blocked_destroy",
    "settings_bounces_retrieve",
    "settings_bounces_update",
    "settings_qa_retrieve",
    "settings_qa_update",
    "settings_webhooks_create",
    "settings_webhook_retrieve",
    "settings_webhook_update",
    "settings_webhook_destroy",
    "settings_webhook_rotate",
    "settings_webhook_deliveries_list",
    "settings_webhook_send_again",
    # QA and media (apiqa)
    "qa_sample",
    "qa_calibration",
    "qa_replies_retrieve",
    "qa_replies_grade",
    "scorecards_list",
    "scorecards_acknowledge",
    # media and saved views (apigaps)
    "media_mention_retrieve",
    "media_reply_image_retrieve",
    "views_create",
    "views_destroy",
}


def schema() -> dict:
    return yaml.safe_load(Client().get("/api/v1/schema/").content)


def test_the_schema_generates_without_a_warning(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out), stdout=StringIO())
    assert yaml.safe_load(out.read_text())["openapi"].startswith("3.")


def test_the_schema_is_served_to_anyone_and_lists_every_operation_with_its_errors():
    document = schema()
    operations = {
        op["operationId"]: op for item in document["paths"].values() for op in item.values() if "operationId" in op
    }
    assert OPERATION_IDS <= set(operations)
    for op_id, op in operations.items():
        codes = set(op["responses"])
        assert {"401", "429"} <= codes, op_id
        if "requestBody" in op:
            assert {"400", "413"} <= codes, op_id
    assert {"403", "404", "409", "422"} <= set(operations["tickets_replies_create"]["responses"])
    content = operations["tickets_replies_create"]["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    assert content["multipart/form-data"]["schema"] == {"$ref": "#/components/schemas/ReplyInRequest"}
    image = document["components"]["schemas"]["ReplyInRequest"]["properties"]["image"]
    assert (image["type"], image["format"]) == ("string", "binary")
    assert {"403", "404", "409"} <= set(operations["qa_replies_grade"]["responses"])
    for op_id in OPERATION_IDS:
        if op_id.startswith(("knowledge_", "reports_", "settings_", "channel_accounts_r", "channel_accounts_s")):
            assert {"403", "404"} <= set(operations[op_id]["responses"]), op_id
    assert "409" in operations["knowledge_snippets_archive"]["responses"]
    assert "409" in operations["settings_webhook_send_again"]["responses"]
    json = Client().get("/api/v1/schema/?format=json")
    assert json.status_code == 200
    assert json.json()["info"]["title"] == "SMRC API"


def test_the_docs_are_served_from_our_static_files_without_inline_script():
    response = Client().get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "<script>" not in html
    assert "<style>" not in html
    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html
    script = Client().get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert "/api/v1/schema/" in script.content.decode()


def test_the_combined_settings_and_the_report_describe_their_new_parts_by_the_endpoints_serializers():
    """``settings_retrieve`` holds ``priority``, ``bounces`` and ``qa`` in the components their own endpoints
    answer; ``reports_retrieve`` holds ``qa`` (the page's QA section)."""
    document = schema()
    operations = {
        op["operationId"]: op for item in document["paths"].values() for op in item.values() if "operationId" in op
    }
    components = document["components"]["schemas"]

    def answered(op_id: str) -> str:
        return operations[op_id]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]

    settings = components["SettingsOut"]
    for part, op_id in (("priority", "settings_priority_retrieve"), ("bounces", "settings_bounces_retrieve"),
                        ("qa", "settings_qa_retrieve")):  # fmt: skip
        assert settings["properties"][part]["allOf"] == [{"$ref": answered(op_id)}], part
    assert set(settings["required"]) == {
        "brand", "sla", "review", "csat", "goals", "priority", "bounces", "qa", "can_change"
    }  # fmt: skip
    assert components["ReportOut"]["properties"]["qa"] == {"$ref": "#/components/schemas/QaReportOut"}
    qa = components["QaReportOut"]
    assert set(qa["required"]) == {"scorecards", "mean", "acknowledged", "by_operator", "by_criterion", "weeks"}
    assert qa["properties"]["weeks"]["items"] == {"$ref": "#/components/schemas/QaGroupOut"}
    assert set(components["QaGroupOut"]["required"]) == {"key", "label", "count", "mean"}
