"""Intent of a mention beside its sentiment: ``question``, ``complaint``, ``request``, ``praise`` or ``other``.

Rules over Indonesian and English cues, in this order (docs/intent.md holds the labelling guide they follow and
docs/sentiment.md, "Intent", their figures on the published set ``tickets/sentiment/data/intents.tsv``):

1. **complaint**: the text reports something wrong: a complaint word not right after a negation
   (:data:`COMPLAINT_WORDS`: ``kecewa``, ``lemot``, ``pending``, ``rude``…) or a complaint pair
   (:data:`COMPLAINT_PAIRS`: ``belum sampai``, ``tidak bisa``, ``on hold``…);
2. **request**: it asks the brand to do something: ``tolong``, ``mohon``, ``please``, ``can you``…, or an action
   word (``cek``, ``ganti``, ``cancel``…) when it gives no thanks;
3. **question**: it asks for information: "?" or a question word first (``text.is_question``), or an
   information cue (``mau tanya``, ``minta info``, ``tell me``), which wins over a request's words;
4. **praise**: a word of thanks or compliment;
5. **other**: anything else (a greeting, news shared, a promotion, an emoji).

The sentiment label is not a cue: as one (negative → complaint) it lowered macro-F1 on the tuning part of the set
(0.93 → 0.86–0.88; short chatter that the ingest model reads as negative became complaints).
A complaint phrased as a question ("kenapa paket saya belum sampai?") is a complaint; a plain question ("kapan
promo berakhir?") is a question and never counts as negative in priority (``services.priority``). Numpy-free and
fast: a few microseconds per text, on the ingest path beside ``classify``; the refining task leaves it as it is.
"""

from __future__ import annotations

from tickets.sentiment.text import NEGATIVE_BIGRAMS, NEGATIVE_CUES, is_question, normalise, words_of

INTENTS = ("question", "complaint", "request", "praise", "other")

#: words that report something wrong: the question rule's list (``text.NEGATIVE_CUES``) without the words that
#: also name an ordinary topic ("refund", "lama", "masalah", "issue": "berapa lama proses refund?" asks), and
#: with more of the ways customers say it
COMPLAINT_WORDS = (
    NEGATIVE_CUES
    - frozenset(
        """
        refund dikembalikan pengembalian lama potong charged never lag down masalah problem issue issues sakit
        late mahal susah sulit
        """.split()
    )
) | frozenset(
    """
    pending pecah ketelen tertelan kepotong terpotong berkurang jutek ketus judes tumpah nyasar delay delayed
    kemanisan keasinan hambar dingin basah penyok sobek cacat ditolak dibatalkan dicancel sepihak ilang lenyap
    kecewa dongkol nyebelin ngecewain males zonk php tipu mengganggu ganggu keganggu sedih lemot lelet
    frustrating frustrated crushed damaged soaked broke crashes overcharged mistake downhill unreliable
    buffering disconnect disconnected drops dropping lapor laporkan melaporkan viralkan somasi ylki ojk bpsk
    """.split()
)
#: pairs that report something wrong
COMPLAINT_PAIRS = NEGATIVE_BIGRAMS | frozenset(
    {
        ("tidak", "datang"),
        ("tidak", "dateng"),
        ("tidak", "diangkat"),
        ("tidak", "sesuai"),
        ("tidak", "nyampe"),
        ("tidak", "muncul"),
        ("tidak", "update"),
        ("tidak", "ada"),  # "paket tidak ada", "sinyal tidak ada"; a question "ada … tidak?" reads "ada … tidak"
        ("belum", "ada"),
        ("belum", "lunas"),
        ("belum", "nyampe"),
        ("tanpa", "solusi"),
        ("tanpa", "kompensasi"),
        ("tanpa", "pemberitahuan"),
        ("tanpa", "kabar"),
        ("no", "internet"),
        ("no", "signal"),
        ("no", "service"),
        ("on", "hold"),
        ("never", "got"),
        ("never", "arrived"),
        ("never", "received"),
        ("not", "arrived"),
        ("still", "no"),
        ("still", "not"),
        ("wrong", "size"),
        ("wrong", "order"),
        ("charged", "twice"),
        ("double", "charged"),
        ("kepotong", "dua"),
        ("terpotong", "dua"),
        ("dibawa", "balik"),
        ("beda", "warna"),
        ("beda", "ukuran"),
        ("force", "close"),
    }
)
#: words that turn a single complaint word ("tidak kecewa", "not bad") into none
NEGATIONS = frozenset("tidak bukan belum jangan never not no don't".split())
#: words that ask the brand to act, in any mention (strong) …
REQUEST_WORDS = frozenset(
    """
    tolong tlg mohon mhn minta please pls plz pliss kindly tolongin
    """.split()
)
#: … and only where no thanks are given ("terima kasih sudah bantu saya" thanks; "bantu cek ya" asks)
REQUEST_ACTIONS = frozenset(
    """
    bantu bantuin dibantu cek cekin dicek dicekin check hubungi dihubungi proses diproses kirim kirimkan kirimin
    ganti gantikan tukar tukarkan batalkan batalin cancel reschedule ubah aktifkan nonaktifkan daftarkan
    naikkan cetak unblock resend send change update upgrade add call book hold move close reset pesan pesankan
    """.split()
)
REQUEST_PAIRS = frozenset(
    {
        ("can", "you"),
        ("could", "you"),
        ("would", "you"),
        ("can", "u"),
        ("bisa", "tolong"),
        ("bisa", "dibantu"),
        ("saya", "mau"),
        ("saya", "ingin"),
        ("i", "need"),
        ("i", "want"),
        ("i'd", "like"),
        ("need", "help"),
        ("help", "me"),
    }
)
#: pairs that ask for information, even when phrased as a request ("can you tell me …", "minta info …")
INFO_PAIRS = frozenset(
    {
        ("mau", "tanya"),
        ("ingin", "tanya"),
        ("numpang", "tanya"),
        ("boleh", "tanya"),
        ("kasih", "tahu"),
        ("kasih", "tau"),
        ("kasih", "info"),
        ("minta", "info"),
        ("info", "dong"),
        ("tell", "me"),
        ("let", "me"),  # "let me know …"
        ("any", "info"),
        ("is", "there"),
        ("are", "there"),
    }
)
INFO_WORDS = frozenset("tanya nanya info informasi cara bagaimana wondering".split())
#: words of thanks and compliment
PRAISE_WORDS = frozenset(
    """
    terima-kasih thanks thank thx ty mantap keren hebat puas top recommended rekomen rekomendasi sukses
    terbaik juara salut bangga suka love loved awesome amazing excellent great best helpful membantu ramah
    memuaskan sigap tanggap responsif responsive mantul appreciate impressed fantastic friendliest friendly
    smooth lancar enak nyaman praktis stabil kenceng original
    """.split()
)
THANKS = frozenset("terima-kasih thanks thank thx ty appreciate".split())


def _complaint(words: list[str]) -> bool:
    for i, word in enumerate(words):
        if word in COMPLAINT_WORDS and not NEGATIONS & set(words[max(0, i - 2) : i]):
            return True
    return any(pair in COMPLAINT_PAIRS for pair in zip(words, words[1:], strict=False))


def intent_of(text: str) -> str:
    """The intent of ``text`` (docs/intent.md): the first of complaint, request, question, praise whose cues it
    holds, else other."""
    normalised = normalise(text or "").replace("terima kasih", "terima-kasih")
    words = [w for w in words_of(normalised) if w not in ("!", "?")]
    if not words:
        return "other"
    if _complaint(words):
        return "complaint"
    pairs = set(zip(words, words[1:], strict=False))
    question = is_question(normalised)
    info = bool(pairs & INFO_PAIRS) or (question and any(w in INFO_WORDS for w in words))
    thanks = any(w in THANKS for w in words)
    asks = any(w in REQUEST_WORDS for w in words) or bool(pairs & REQUEST_PAIRS)
    if not info and (asks or (not thanks and any(w in REQUEST_ACTIONS for w in words))):
        return "request"
    if question or info:
        return "question"
    if any(w in PRAISE_WORDS for w in words):
        return "praise"
    return "other"


def classify_intents(texts: list[str]) -> list[str]:
    """:func:`intent_of` for each text, in order."""
    return [intent_of(t) for t in texts]
