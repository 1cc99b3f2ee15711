"""A local fake of the platforms' publishing APIs: a threaded HTTP server on 127.0.0.1 that records every
request and answers like X (``/x/2``), the Graph API (``/graph``) and YouTube (``/yt``) do, from the sample
payloads in ``tests/fixtures/payloads``. Tests queue scripted answers (a 429, a 403, a 503 after publishing)
ahead of the default behaviour; what was published is kept so lookups find it, as on the real platforms."""

import email.policy
import hashlib
import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

PAYLOADS = Path(__file__).resolve().parent.parent / "fixtures" / "payloads"


def payload(name: str) -> dict:
    folder = {"x_": "x", "fb": "meta", "ig": "meta", "yt": "youtube"}[name[:2]]
    return json.loads((PAYLOADS / folder / name).read_text())


def multipart(content_type: str, data: bytes) -> dict:
    """A multipart/form-data body as a dict: fields as strings, files as {"filename", "content_type", "size",
    "sha256"} (the bytes are not kept)."""
    message = BytesParser(policy=email.policy.HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + data)
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        content = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is None:
            fields[name] = content.decode()
        else:
            fields[name] = {
                "filename": filename,
                "content_type": part.get_content_type(),
                "size": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
            }
    return fields


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: dict
    body: dict


@dataclass
class Scripted:
    status: int
    body: dict
    headers: dict = field(default_factory=dict)
    publish_first: bool = False  # publish, then answer with this (a 5xx or a timeout after the fact)


class FakePlatform:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.scripts: dict[tuple[str, str], list[Scripted]] = {}
        self.published: list[dict] = []  # {"platform", "parent", "id", "text", "author"}
        self.uploads: list[dict] = []  # files uploaded before a post names them (X media, Messenger attachments)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # --- the test's side ---------------------------------------------------------------------------------------

    def script(self, method: str, path: str, status: int, body: dict, headers=None, publish_first=False) -> None:
        self.scripts.setdefault((method, path), []).append(Scripted(status, body, headers or {}, publish_first))

    def posts(self) -> list[Request]:
        return [r for r in self.requests if r.method == "POST"]

    # --- the server's side -------------------------------------------------------------------------------------

    def _publish(self, path: str, body: dict, account: str) -> tuple[int, dict]:
        n = next(self._ids)
        if path == "/x/2/tweets":
            post_id = f"19000000000000000{n:02d}"
            parent = body["reply"]["in_reply_to_tweet_id"]
            self.published.append(
                {"platform": "x", "parent": parent, "id": post_id, "text": body["text"], "media": body.get("media")}
            )
            doc = payload("x_v2_create_reply_response_201.json")
            doc["data"].update(id=post_id, text=body["text"].replace("&", "&amp;"), edit_history_tweet_ids=[post_id])
            return 201, doc
        if path == "/graph/me/messages":
            message_id = f"m_fake{n}"
            self.published.append({"platform": "messenger", "id": message_id, "message": body["message"]})
            return 200, {"recipient_id": body["recipient"]["id"], "message_id": message_id}
        if path == "/graph/me/message_attachments":
            self.uploads.append(body["filedata"])
            return 200, {"attachment_id": f"17{n:013d}"}
        if path == "/x/2/media/upload":
            self.uploads.append(body["media"])
            media_id = f"18800000000000000{n:02d}"
            return 200, {"data": {"id": media_id, "media_key": f"3_{media_id}", "expires_after_secs": 86400}}
        match = re.fullmatch(r"/graph/([^/]+)/(comments|replies)", path)
        if match:
            comment_id = f"{match.group(1)}_{n}" if match.group(2) == "comments" else f"1794{n:011d}"
            self.published.append(
                {
                    "platform": match.group(2),
                    "parent": match.group(1),
                    "id": comment_id,
                    "text": body["message"],
                    "source": body.get("source"),
                }
            )
            return 200, {"id": comment_id}
        if path == "/yt/comments":
            snippet = body["snippet"]
            doc = payload("yt_comments_insert_reply.json")["response"]["body"]
            comment_id = f"{snippet['parentId']}.fake{n}"
            doc.update(id=comment_id)
            doc["snippet"].update(
                parentId=snippet["parentId"], textOriginal=snippet["textOriginal"], authorChannelId={"value": account}
            )
            self.published.append({"platform": "yt", "parent": snippet["parentId"], "id": comment_id, "doc": doc})
            return 200, doc
        return 404, {"error": {"message": f"no such route {path}"}}

    def _lookup(self, path: str, query: dict) -> tuple[int, dict]:
        match = re.fullmatch(r"/x/2/users/([^/]+)/tweets", path)
        if match:
            data = [
                {"id": p["id"], "text": p["text"], "referenced_tweets": [{"type": "replied_to", "id": p["parent"]}]}
                for p in reversed(self.published)
                if p["platform"] == "x"
            ]
            return 200, {"data": data, "meta": {"result_count": len(data)}}
        match = re.fullmatch(r"/graph/([^/]+)/(comments|replies)", path)
        if match:
            key = "message" if match.group(2) == "comments" else "text"
            data = [
                {"id": p["id"], key: p["text"], "from": {"id": self.page_id}, "username": self.page_handle}
                for p in self.published
                if p["platform"] == match.group(2) and p["parent"] == match.group(1)
            ]
            return 200, {"data": data}
        if path == "/yt/comments":
            items = [p["doc"] for p in self.published if p["platform"] == "yt" and p["parent"] == query["parentId"][0]]
            return 200, {"kind": "youtube#commentListResponse", "items": items}
        return 404, {"error": {"message": f"no such route {path}"}}

    page_id = ""
    page_handle = ""
    youtube_channel = ""

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _answer(self, status: int, body: dict, headers: dict) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

            def _handle(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length) if length else b""
                ctype = self.headers.get("Content-Type", "")
                if ctype.startswith("multipart/form-data"):
                    body = multipart(ctype, data)
                elif "json" in ctype and data:
                    body = json.loads(data.decode())
                else:
                    body = {k: v[0] for k, v in parse_qs(data.decode()).items()}
                request = Request(method, parts.path, parse_qs(parts.query), dict(self.headers), body)
                with fake._lock:
                    fake.requests.append(request)
                    queue = fake.scripts.get((method, parts.path)) or []
                    scripted = queue.pop(0) if queue else None
                    if scripted is not None:
                        if scripted.publish_first:
                            fake._publish(parts.path, body, fake.youtube_channel)
                        status, doc, headers = scripted.status, scripted.body, scripted.headers
                    elif method == "POST":
                        (status, doc), headers = fake._publish(parts.path, body, fake.youtube_channel), {}
                    else:
                        (status, doc), headers = fake._lookup(parts.path, request.query), {}
                self._answer(status, doc, headers)

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

        return Handler

    def start(self) -> "FakePlatform":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
