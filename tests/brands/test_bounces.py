"""The bounce detector: replies that send the customer elsewhere, in Indonesian and English; DMs stay allowed."""

import time

import pytest

from brands.services.bounces import find_bounces

BOUNCES = [
    ("Mohon maaf kak, silakan hubungi call center kami di 14045 ya.", "call_center", "hubungi call center"),
    ("Untuk hal ini silakan menghubungi layanan pelanggan kami.", "call_center", "menghubungi layanan pelanggan"),
    ("Kakak bisa telepon ke 188 untuk bantuan lebih lanjut.", "call_center", "telepon ke 188"),
    ("Silakan datang ke kantor cabang terdekat dengan membawa KTP.", "visit", "datang ke kantor cabang terdekat"),
    ("Boleh mampir ke gerai terdekat ya kak.", "visit", "mampir ke gerai terdekat"),
    ("Silakan kunjungi GraPARI terdekat.", "visit", "kunjungi GraPARI terdekat"),
    ("Mohon maaf, hal tersebut bukan wewenang kami.", "not_ours", "bukan wewenang kami"),
    ("Itu di luar tanggung jawab kami, kak.", "not_ours", "di luar tanggung jawab kami"),
    ("Kami tidak menangani keluhan pengiriman.", "not_ours", "Kami tidak menangani"),
    ("Silakan kirim email ke cs@acme.co.id dengan detail pesanan.", "elsewhere", "kirim email ke cs@acme.co.id"),
    ("Please call our hotline for help with this.", "call_center", "call our hotline"),
    ("Please contact our customer service team.", "call_center", "contact our customer service"),
    ("You can reach the call centre any time.", "call_center", "reach the call centre"),
    ("Please visit your nearest branch with your ID.", "visit", "visit your nearest branch"),
    ("Unfortunately this is not our department.", "not_ours", "is not our department"),
    ("Please send an email to help@acme.com with the order.", "elsewhere", "send an email to help@acme.com"),
    ("That is outside our scope, sorry.", "not_ours", "outside our scope"),
    ("Please fill in the form on website and we will check.", "elsewhere", "fill in the form on website"),
]

SERVING = [
    "Halo kak, mohon maaf atas kendalanya. Boleh DM nomor pesanannya ya, kami bantu cek.",
    "Silakan kirim pesan pribadi berisi nomor rekening, kami bantu proses di sini.",
    "Please send us a direct message with your account number and we'll sort it out.",
    "Check your inbox, we've replied there with the details.",
    "Terima kasih kak, paketnya sudah kami cek dan akan tiba besok.",
    "Jaringan di area Bandung sudah normal kembali sejak pukul 14.00.",
    "We've refunded the order; it shows in 3 working days.",
    "Kantor pusat kami sudah memproses pengembaliannya.",  # mentions an office, sends nobody there
    "Tim kami sudah menghubungi kurir untuk kakak.",  # we call, the customer does not
]


@pytest.mark.parametrize(("text", "kind", "phrase"), BOUNCES)
def test_bounces_are_found_with_their_reason(text, kind, phrase):
    found = find_bounces(text)

    assert [(b.kind, b.text) for b in found][:1] == [(kind, phrase)]
    assert found[0].start == text.index(phrase)
    assert found[0].reason


@pytest.mark.parametrize("text", SERVING)
def test_serving_replies_and_moves_to_private_messages_are_not_bounces(text):
    assert find_bounces(text) == []


def test_brand_terms_are_whole_words_and_defaults_can_be_switched_off():
    text = "Silakan ke Acme Care Point ya kak, atau hubungi call center."

    assert [(b.kind, b.text) for b in find_bounces(text, brand_terms=["acme care point"])] == [
        ("brand_term", "Acme Care Point"),
        ("call_center", "hubungi call center"),
    ]
    assert [(b.kind, b.text) for b in find_bounces(text, brand_terms=["care"], use_defaults=False)] == [
        ("brand_term", "Care")
    ]
    assert find_bounces(text, brand_terms=["acme care"], use_defaults=False)[0].text == "Acme Care"
    assert find_bounces(text, brand_terms=["poin"], use_defaults=False) == []


def test_a_term_that_cannot_compile_is_skipped():
    assert find_bounces("hubungi kami", brand_terms=["  "], use_defaults=False) == []


def test_hostile_text_is_matched_in_linear_time():
    text = ("hubungi " * 20_000) + "x" + ("a" * 100_000)

    started = time.perf_counter()
    found = find_bounces(text, brand_terms=["a" * 50])
    elapsed = time.perf_counter() - started

    assert found == [] or all(b.start < 5000 for b in found)
    assert elapsed < 2.0  # a bound against backtracking, not a speed figure


def test_overlapping_phrases_count_once():
    found = find_bounces("Silakan datang ke kantor cabang terdekat ya.")
    assert [(b.kind, b.text) for b in found] == [("visit", "datang ke kantor cabang terdekat")]
