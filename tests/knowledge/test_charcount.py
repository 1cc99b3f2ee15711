"""The counter counts like the platforms: X weights (twitter-text v3), the others count characters."""

import pytest

from tickets.services import charcount


@pytest.mark.parametrize(
    ("text", "weighted"),
    [
        ("hello", 5),
        ("Halo kak 👋", 11),  # 9 + one emoji (2)
        ("👨‍👩‍👧‍👦", 2),  # a ZWJ family is one emoji
        ("👍🏽", 2),  # with a skin tone
        ("🇮🇩", 2),  # a flag: two regional indicators
        ("1️⃣", 2),  # a keycap
        ("我们", 4),  # CJK weighs 2
        ("한국어", 6),
        ("café", 4),
        ("cafe\u0301", 4),  # NFC: e + combining accent is one character
        ("“quote” — ok", 12),  # curly quotes and the em dash are in the light ranges: 1 each
        ("…", 2),  # U+2026 is outside them (twitter-text weighs it 2)
        ("cek https://example.com/very/long/path?x=1 ya", 30),  # 4 + 23 + 3
        ("http://a.co", 23),
        ("promo www.acme.co.id/promo.", 30),  # 6 + 23 + the final dot
        ("acme.com dan acme.id", 51),
        ("x" * 280, 280),
    ],
)
def test_x_weighted_length(text, weighted):
    assert charcount.x_weighted_length(text) == weighted


def test_other_platforms_count_characters():
    assert charcount.measure("我们👋", "facebook") == charcount.Measure(3, 8000)
    assert charcount.measure("a" * 2201, "instagram") == charcount.Measure(2201, 2200)
    assert charcount.measure("a" * 2201, "instagram").over is True
    assert charcount.measure("a", "youtube").limit == 10000
    assert charcount.measure("x" * 281, "x") == charcount.Measure(281, 280)
