"""How long a reply is on each platform, counted the platform's way (docs/knowledge.md § Counter).

X follows twitter-text 3 (``config/v3.json``): text is NFC-normalized; code points in U+0000–U+10FF,
U+2000–U+200D, U+2010–U+201F and U+2032–U+2037 weigh 1, everything else (CJK, most symbols) 2; an emoji
(a whole sequence: skin tone, ZWJ family, flag, keycap) weighs 2; every link weighs 23 whatever its length;
the limit is 280. Facebook, Instagram and YouTube count characters (code points) against their own limits.
``static/smrc/app.js`` mirrors this for the live counter; the server's count is the one that refuses.
"""

import re
import unicodedata
from dataclasses import dataclass

LIMITS = {"x": 280, "facebook": 8000, "instagram": 2200, "youtube": 10000}
X_URL_WEIGHT = 23
X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))

# A link: with a scheme, or www., or a bare domain on a common top-level domain (twitter-text recognises
# every TLD; these cover what SMRC brands write).
URL_RE = re.compile(
    r"(?:https?://[^\s]+|www\.[^\s]+|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*"
    r"\.(?:com|net|org|id|co|io|me|ly|app|dev|info|biz|xyz|ai|gg|tv|us|uk|sg|my)\b(?:/[^\s]*)?)",
    re.IGNORECASE,
)
_TRAILING = ".,:;!?)]}'\""


def _is_pictographic(cp: int) -> bool:
    return (
        0x1F000 <= cp <= 0x1FAFF
        or 0x2600 <= cp <= 0x27BF
        or 0x2300 <= cp <= 0x23FF
        or 0x2B00 <= cp <= 0x2BFF
        or 0x2190 <= cp <= 0x21FF
        or cp in (0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122, 0x2139, 0x3030, 0x303D, 0x3297, 0x3299)
    )


def _emoji_length(text: str, i: int) -> int:
    """Code points of the emoji sequence starting at ``i`` (0 if none starts there)."""
    n = len(text)
    cp = ord(text[i])
    if 0x1F1E6 <= cp <= 0x1F1FF:  # regional indicators: a flag is a pair
        return 2 if i + 1 < n and 0x1F1E6 <= ord(text[i + 1]) <= 0x1F1FF else 1
    if text[i] in "#*0123456789":  # keycap: 1️⃣
        j = i + 1
        if j < n and text[j] == "\ufe0f":
            j += 1
        return j + 1 - i if j < n and text[j] == "\u20e3" else 0
    if not _is_pictographic(cp):
        return 0
    if cp < 0x2000 and not (i + 1 < n and text[i + 1] == "\ufe0f"):
        return 0  # © ® as plain text unless asked to be emoji
    j = i + 1
    while j < n:
        c = ord(text[j])
        if c == 0xFE0F or 0x1F3FB <= c <= 0x1F3FF or 0xE0020 <= c <= 0xE007F or c == 0x20E3:
            j += 1
        elif c == 0x200D and j + 1 < n and _is_pictographic(ord(text[j + 1])):
            j += 2
        else:
            break
    return j - i


def _urls(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in URL_RE.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in _TRAILING:
            end -= 1
        spans.append((start, end))
    return spans


def x_weighted_length(text: str) -> int:
    text = unicodedata.normalize("NFC", text)
    urls = dict(_urls(text))
    total = 0  # in hundredths, as twitter-text's scale 100
    i, n = 0, len(text)
    while i < n:
        if i in urls:
            total += X_URL_WEIGHT * 100
            i = urls[i]
            continue
        emoji = _emoji_length(text, i)
        if emoji:
            total += 200
            i += emoji
            continue
        cp = ord(text[i])
        total += 100 if any(lo <= cp <= hi for lo, hi in X_LIGHT_RANGES) else 200
        i += 1
    return total // 100


@dataclass(frozen=True)
class Measure:
    length: int
    limit: int

    @property
    def over(self) -> bool:
        return self.length > self.limit


def measure(text: str, platform: str) -> Measure:
    """The length of ``text`` as ``platform`` counts it, and its limit."""
    if platform == "x":
        return Measure(x_weighted_length(text), LIMITS["x"])
    return Measure(len(unicodedata.normalize("NFC", text)), LIMITS.get(platform, 8000))
