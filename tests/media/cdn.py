"""A fake CDN at the HTTP boundary (a requests transport mounted on ``tickets.channels.media.transport``) and real
image bytes made with Pillow."""

import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import requests
from PIL import Image

PAYLOADS = Path(__file__).resolve().parent.parent / "fixtures" / "payloads"
PHOTO_URL = (
    "https://scontent.xx.fbcdn.net/v/t39.30808-6/400000000_1234567890123456_1234567890123456789_n.jpg"
    "?stp=dst-jpg&_nc_cat=1&oh=00_AfB1example&oe=6750A1B2"
)


def payload(folder: str, name: str) -> dict:
    doc = json.loads((PAYLOADS / folder / name).read_text())
    doc.pop("_comment", None)
    return doc


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


#: an MP4's first bytes (an ``ftyp`` box), enough for the sniffer
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 2048
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


class Body(io.BytesIO):
    """A response body that remembers how many bytes were read from it and whether it was closed."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.read_bytes = 0
        self.was_closed = False

    def read(self, size=-1):
        chunk = super().read(size)
        self.read_bytes += len(chunk)
        return chunk

    def close(self) -> None:
        self.was_closed = True


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)


class FakeCDN(requests.adapters.BaseAdapter):
    """Answers from ``routes`` (URL → :class:`Answer`); 404 for anything else. Records every URL asked for and
    how many body bytes were read."""

    def __init__(self) -> None:
        super().__init__()
        self.routes: dict[str, Answer] = {}
        self.asked: list[str] = []
        self.streams: list[Body] = []

    def add(self, url: str, body: bytes = b"", status: int = 200, **headers) -> None:
        self.routes[url] = Answer(status, body, {k.replace("_", "-"): v for k, v in headers.items()})

    def send(self, request, **kwargs):
        self.asked.append(request.url)
        answer = self.routes.get(request.url, Answer(404, b"not found"))
        response = requests.Response()
        response.status_code = answer.status
        response.url = request.url
        response.request = request
        response.headers = requests.structures.CaseInsensitiveDict(answer.headers)
        stream = Body(answer.body)
        self.streams.append(stream)
        response.raw = stream
        return response

    def close(self) -> None:
        pass

    def transport(self) -> requests.Session:
        session = requests.Session()
        session.mount("https://", self)
        session.mount("http://", self)
        return session
