"""API: snippet search and suggestions, scoped; expired or archived snippets cannot be inserted."""

from tests.helpers import db_state


def test_search_is_scoped_to_the_callers_brand(cast, api, library):
    response = api(cast.operator).get("/api/v1/snippets/", {"q": "/refund"})
    assert response.status_code == 200
    assert response.json()["brand"] == "acme"
    assert [r["title"] for r in response.json()["results"]] == ["Refund credit", "Refund pulsa"]
    assert api(cast.operator).get("/api/v1/snippets/", {"q": "x", "brand": "globex"}).status_code == 400
    b = api(cast.operator_b).get("/api/v1/snippets/", {"q": "pulsa"}).json()
    assert [r["title"] for r in b["results"]] == ["Globex pulsa terpotong"]
    assert api(cast.outsider).get("/api/v1/snippets/", {"q": "pulsa", "brand": "acme"}).status_code == 400


def test_suggestions_for_a_ticket(cast, api, library, claimed_ticket):
    url = f"/api/v1/tickets/{claimed_ticket.pk}/suggestions/"
    response = api(cast.operator).get(url)
    assert response.status_code == 200
    first = response.json()["results"][0]
    assert (first["title"], first["shortcut"], first["reasons"]) == (
        "Kuota Max info",
        "kuota",
        ["words", "product", "language"],
    )
    assert api(cast.operator_b).get(url).status_code == 404
    assert api(cast.outsider).get(url).status_code == 404
    assert api(cast.manager).get(url).status_code == 403


def test_render_refuses_archived_expired_and_foreign_snippets(cast, api, library, claimed_ticket):
    url = f"/api/v1/tickets/{claimed_ticket.pk}/render/"
    client = api(cast.operator)
    before = db_state()
    assert client.post(url, {"snippet": library["archived"].pk}, format="json").status_code == 409
    expired = client.post(url, {"snippet": library["expired"].pk}, format="json")
    assert (expired.status_code, expired.json()) == (409, {"detail": "This snippet expired and cannot be used."})
    assert client.post(url, {"snippet": library["brand_b"].pk}, format="json").status_code == 404
    assert api(cast.outsider).post(url, {"snippet": library["refund_id"].pk}, format="json").status_code == 404
    assert db_state() == before
    ok = client.post(url, {"snippet": library["kuota"].pk}, format="json")
    assert ok.json() == {
        "snippet": library["kuota"].pk,
        "text": "Kuota Max berisi kuota 50 GB untuk 30 hari. Salam, op_a",
        "unfilled": [],
    }


def test_a_reply_through_the_api_counts_its_snippets(cast, api, library, claimed_ticket):
    body = "Kuota Max berisi kuota 50 GB untuk 30 hari. Salam, op_a"
    response = api(cast.operator).post(
        f"/api/v1/tickets/{claimed_ticket.pk}/replies/",
        {"body": body, "snippets": [library["kuota"].pk]},
        format="json",
    )
    assert response.status_code == 201
    library["kuota"].refresh_from_db()
    assert (library["kuota"].used_as_is, library["kuota"].used_edited) == (1, 0)
    over = api(cast.operator).post(f"/api/v1/tickets/{claimed_ticket.pk}/replies/", {"body": "z" * 300}, format="json")
    assert over.status_code == 409
