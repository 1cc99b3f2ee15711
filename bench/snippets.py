"""Benchmark of snippet suggestions and search with 10,000 published snippets in one brand, on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres smrc_bench_snippets   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smrc_bench_snippets .venv/bin/python bench/snippets.py

1. Load (once, skipped when the brand already has its snippets): one brand with 10,000 published snippets
   (deterministic text from a telco/bank vocabulary in Indonesian and English, 40–80 words, tags, a shortcut
   each, a product on one in five), 50 products, an operator and tickets with customer messages.
2. Measure in-process with ``django.test.Client`` logged in as the operator, so each figure is a whole request
   (session, scoping, the index stamp query, ranking, template): the composer's suggestions partial and its
   search partial (words, an unfinished word, a ``/shortcut``), and the same through the API. Median and p95
   (nearest rank) over ``--requests`` requests after a warm-up; plus the time to build the index cold.
"""

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smrc.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from brands.models import Brand, Membership, Product, Role, Snippet, SnippetVersion  # noqa: E402
from brands.services.knowledge import snippet_index  # noqa: E402
from tickets.channels.base import NormalizedAuthor, NormalizedMention  # noqa: E402
from tickets.models import Ticket  # noqa: E402
from tickets.services import ingest, workflow  # noqa: E402

SLUG = "bench-snippets"
SNIPPETS = 10_000
PRODUCTS = 50
WORDS_ID = (
    "pulsa kuota paket data internet sinyal jaringan tagihan pembayaran saldo transfer kartu sim aktivasi "
    "registrasi promo diskon cashback refund pengembalian dana terpotong gangguan lambat hilang roaming "
    "telepon sms nomor blokir verifikasi kode otp aplikasi login akun password reset keluhan layanan toko "
    "gerai pengiriman kurir garansi perangkat modem router wifi fiber pemasangan teknisi jadwal kunjungan "
    "langganan berhenti perpanjang masa aktif tenggang bonus poin hadiah undian bank rekening atm mobile "
    "kredit cicilan bunga limit debit virtual akun tunai setor tarik mutasi struk invoice faktur pajak"
).split()
WORDS_EN = (
    "credit quota data plan internet signal network bill payment balance transfer card sim activation "
    "registration promo discount cashback refund money deducted outage slow lost roaming call sms number "
    "block verification code otp app login account password reset complaint service store delivery courier "
    "warranty device modem router wifi fiber installation technician schedule visit subscription cancel "
    "renew validity grace bonus points reward lottery bank atm mobile loan instalment interest limit debit"
).split()
CUSTOMER_TEXTS = [
    "Pulsa saya terpotong terus padahal tidak pakai paket data, tolong refund",
    "Sinyal internet di rumah lambat sekali sejak kemarin, modem wifi sudah restart",
    "My data plan was deducted twice, please refund the money to my account",
    "Kode OTP tidak masuk waktu login aplikasi mobile banking, akun saya terblokir",
    "Kapan teknisi datang untuk pemasangan fiber? Jadwal kunjungan belum ada",
]
SEARCHES = [
    "pulsa terpotong",
    "refund",
    "otp login",
    "modem wifi lambat",
    "paket dat",
    "/s000",
    "/s0421",
    "cashback promo",
]


def _h(n: int) -> int:
    """A deterministic pseudo-random number (no generator state)."""
    return (n * 2654435761 + 97) % 4294967296


def _words(seed: int, count: int, vocabulary: list[str]) -> str:
    return " ".join(vocabulary[_h(seed * 131 + i) % len(vocabulary)] for i in range(count))


def load(n_snippets: int = SNIPPETS) -> Brand:
    brand, _ = Brand.objects.get_or_create(slug=SLUG, defaults={"name": "Bench Snippets"})
    User = get_user_model()
    user, made = User.objects.get_or_create(username="bench_snippets_op")
    if made:
        user.set_password("bench")
        user.save()
    Membership.objects.get_or_create(user=user, brand=brand, defaults={"role": Role.OPERATOR})
    if Snippet.objects.filter(brand=brand).count() >= n_snippets:
        return brand
    print(f"loading {n_snippets:,} snippets …", flush=True)
    started = time.monotonic()
    with transaction.atomic():
        Snippet.objects.filter(brand=brand).delete()
        Product.objects.filter(brand=brand).delete()
        products = Product.objects.bulk_create(
            Product(brand=brand, name=f"Produk {n:02d} {WORDS_ID[n % len(WORDS_ID)]}", category="paket")
            for n in range(PRODUCTS)
        )
        rows = []
        for n in range(n_snippets):
            english = _h(n) % 3 == 0
            vocabulary = WORDS_EN if english else WORDS_ID
            rows.append(
                Snippet(
                    brand=brand,
                    title=_words(n, 4, vocabulary).capitalize(),
                    body="{customer_name}, " + _words(n + 7, 40 + _h(n) % 40, vocabulary) + ". {operator_name}",
                    language="en" if english else "id",
                    tone="casual" if _h(n + 1) % 2 else "formal",
                    tags=", ".join({vocabulary[_h(n + 3) % len(vocabulary)], vocabulary[_h(n + 5) % len(vocabulary)]}),
                    product=products[_h(n) % PRODUCTS] if _h(n + 2) % 5 == 0 else None,
                    shortcut=f"s{n:05d}",
                    status="published",
                    used_as_is=_h(n + 9) % 30,
                    used_edited=_h(n + 11) % 10,
                )
            )
        created = Snippet.objects.bulk_create(rows, batch_size=2000)
        SnippetVersion.objects.bulk_create(
            (
                SnippetVersion(
                    snippet=s,
                    number=1,
                    title=s.title,
                    body=s.body,
                    language=s.language,
                    tone=s.tone,
                    tags=s.tags,
                    shortcut=s.shortcut,
                    status=s.status,
                    note="bench",
                )
                for s in created
            ),
            batch_size=2000,
        )
    print(f"loaded in {time.monotonic() - started:.1f} s", flush=True)
    return brand


def tickets(brand: Brand, user) -> list[Ticket]:
    found = list(Ticket.objects.filter(brand=brand).order_by("pk")[: len(CUSTOMER_TEXTS)])
    if len(found) == len(CUSTOMER_TEXTS):
        return found
    for i, text in enumerate(CUSTOMER_TEXTS):
        item = NormalizedMention(
            brand_id=brand.pk,
            platform="x",
            platform_id=f"bench-snippets-{i}",
            author=NormalizedAuthor(
                platform_user_id=f"bench-author-{i}", handle=f"pelanggan{i}", name=f"Pelanggan {i}"
            ),
            text=text,
            language="en" if text.startswith("My") else "id",
            posted_at=django.utils.timezone.now(),
        )
        ingest.ingest_mentions(items=[item])
    found = list(Ticket.objects.filter(brand=brand).order_by("pk")[: len(CUSTOMER_TEXTS)])
    for ticket in found:
        if ticket.assignee_id is None:
            workflow.claim_ticket(ticket=ticket, user=user)
    return found


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def measure(name: str, client: Client, paths: list[str], requests: int, **headers) -> dict:
    for path in paths[:3]:  # warm-up
        assert client.get(path, **headers).status_code == 200, path
    timings = []
    with CaptureQueriesContext(connection) as queries:
        for i in range(requests):
            path = paths[i % len(paths)]
            started = time.perf_counter()
            response = client.get(path, **headers)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
    return {
        "name": name,
        "median": statistics.median(timings),
        "p95": p95(timings),
        "max": max(timings),
        "queries": len(queries.captured_queries) / requests,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--snippets", type=int, default=SNIPPETS, help="published snippets in the brand")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/snippets.py measures PostgreSQL: set DATABASE_URL (see the docstring)")
    call_command("migrate", verbosity=0)
    brand = load(args.snippets)
    user = get_user_model().objects.get(username="bench_snippets_op")
    ticket_list = tickets(brand, user)

    snippet_index.forget()
    started = time.perf_counter()
    index = snippet_index.index_for(brand.pk)
    cold = (time.perf_counter() - started) * 1000
    print(f"index: {len(index.entries):,} snippets, {len(index.postings):,} words, built cold in {cold:.0f} ms")

    client = Client()
    client.force_login(user)
    token = Token.objects.get_or_create(user=user)[0].key
    api = {"HTTP_AUTHORIZATION": f"Token {token}"}
    results = [
        measure(
            "suggestions (ticket page partial)",
            client,
            [f"/tickets/{t.pk}/snippets/" for t in ticket_list],
            args.requests,
        ),
        measure(
            "search (ticket page partial)",
            client,
            [f"/tickets/{ticket_list[0].pk}/snippets/?q={q}" for q in SEARCHES],
            args.requests,
        ),
        measure(
            "suggestions (API)",
            Client(),
            [f"/api/v1/tickets/{t.pk}/suggestions/" for t in ticket_list],
            args.requests,
            **api,
        ),
        measure("search (API)", Client(), [f"/api/v1/snippets/?q={q}" for q in SEARCHES], args.requests, **api),
    ]
    print(f"\n{'endpoint':<36} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
    for r in results:
        print(f"{r['name']:<36} {r['median']:>10.1f} {r['p95']:>8.1f} {r['max']:>8.1f} {r['queries']:>8.1f}")
    load_average = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nload average: {load_average} on {os.cpu_count()} CPUs; requests per endpoint: {args.requests}")
    slow = [r["name"] for r in results if r["p95"] >= 50]
    print("target p95 < 50 ms:", "met" if not slow else f"MISSED by {', '.join(slow)}")


if __name__ == "__main__":
    main()
