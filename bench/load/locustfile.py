"""A shift of SMRC under load, for Locust (run by ``bench/load.py``, which seeds the database and writes the plan).

Users, from the plan (``SMRC_LOAD_PLAN``, a JSON file):

- 50 operators: refresh the queue as the page does (htmx, every 15 s), and work tickets: open one of the queue,
  claim it, reply (with an idempotency key, as the composer sends it) and resolve it;
- 5 supervisors: the review queue, a reply in it, approve it;
- 2 brand managers: a brand's report for the last 7 days and the tickets behind a figure;
- the crisis: ``burst_mentions`` mentions in ``burst_seconds`` through the signed X webhook, each delivery signed
  with its account's own secret, starting ``burst_at`` seconds into the run. Every item is a new post by a new
  person. The ids of the items of every delivery answered 200 are written to ``accepted_file`` at the end, for
  the runner to count what was stored.

Refusals that are part of the work (a ticket another operator claimed first, a reply another supervisor
approved first) are counted under their own names and not as errors.
"""

import base64
import hashlib
import hmac
import json
import os
import random
import re
import threading
import time
import uuid

import gevent
from locust import HttpUser, between, constant_pacing, events, task
from locust.exception import StopUser

PLAN = json.loads(open(os.environ["SMRC_LOAD_PLAN"]).read())  # noqa: SIM115 - read once at import
TICKET_LINK = re.compile(r'href="/tickets/(\d+)/"')
APPROVE_FORM = re.compile(r'action="/review/(\d+)/approve/".*?name="revision" value="(\d+)"', re.S)
REVIEW_ITEM = re.compile(r'href="\?r=(\d+)"')
WORDS = (
    "sinyal hilang paket belum sampai tagihan naik internet lambat tolong cek min kenapa sudah tiga hari "
    "refund gagal aplikasi error saldo terpotong kartu diblokir pelayanan kecewa mohon bantu segera"
).split()

STARTED = time.monotonic()  # the burst starts burst_at seconds after Locust does, however users are spawned
_accepted: list[str] = []
_accepted_lock = threading.Lock()
_logins = iter(range(10**6))


def _next_login(role: str) -> dict:
    people = PLAN["users"][role]
    return people[next(_logins) % len(people)]


class Browser(HttpUser):
    """A person in the browser: logged in with a session and the CSRF cookie, as the pages are used."""

    abstract = True
    role = ""

    def on_start(self) -> None:
        self.person = _next_login(self.role)
        self.client.get("/login/", name="login page")
        response = self.client.post(
            "/login/",
            data={"username": self.person["username"], "password": PLAN["password"]},
            headers=self._csrf(),
            name="login",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise StopUser()

    def _csrf(self) -> dict:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Referer": self.host + "/"}

    def post_form(self, path: str, data: dict, *, name: str, ok=(302,), taken=(), why="taken by another") -> int:
        """POST a form as the page does (CSRF header, a fresh idempotency key); 302 is success; a status in
        ``taken`` is someone else's win (counted under its own name, not as an error)."""
        data = {**data, "idempotency_key": str(uuid.uuid4())}
        with self.client.post(
            path, data=data, headers=self._csrf(), name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code in ok:
                response.success()
            elif response.status_code in taken:
                response.success()
                events.request.fire(
                    request_type="POST",
                    name=f"{name} ({why})",
                    response_time=response.elapsed.total_seconds() * 1000,
                    response_length=0,
                    exception=None,
                    context={},
                )
            else:
                response.failure(f"{response.status_code}")
            return response.status_code


class Operator(Browser):
    role = "operators"
    weight = 0
    fixed_count = PLAN["operators"]
    wait_time = between(5, 15)  # a queue refresh every 15 s (SMRC_QUEUE_REFRESH_SECONDS), a ticket a minute

    @task(3)
    def refresh_queue(self) -> None:
        self.client.get("/queue/", headers={"HX-Request": "true"}, name="queue (htmx refresh)")

    @task(2)
    def work_a_ticket(self) -> None:
        page = self.client.get("/queue/?unassigned=1", name="queue ?unassigned=1")
        ids = TICKET_LINK.findall(page.text)[:20]
        if not ids:
            return
        pk = random.choice(ids)
        self.client.get(f"/tickets/{pk}/", name="ticket")
        if self.post_form(f"/tickets/{pk}/claim/", {}, name="claim") != 302:
            return
        # the claim redirects to the ticket whatever happened: the page says whether it is ours
        page = self.client.get(f"/tickets/{pk}/", name="ticket")
        if f"/tickets/{pk}/reply/" not in page.text:
            events.request.fire(
                request_type="POST", name="claim (taken by another)", response_time=0, response_length=0,
                exception=None, context={},
            )  # fmt: skip
            return
        body = f"Halo kak, mohon maaf atas kendalanya. Kami cek dulu ya, nomor tiket {pk}."
        # 400/409: refused because the ticket changed meanwhile (a reviewer, an idle-owner timeout): the page says so
        self.post_form(f"/tickets/{pk}/reply/", {"body": body}, name="reply", taken=(400, 409), why="refused")
        self.post_form(f"/tickets/{pk}/resolve/", {}, name="resolve")


class Supervisor(Browser):
    role = "supervisors"
    weight = 0
    fixed_count = PLAN["supervisors"]
    wait_time = between(10, 20)

    @task
    def review(self) -> None:
        page = self.client.get("/review/", name="review queue")
        items = REVIEW_ITEM.findall(page.text)
        if not items:
            return
        page = self.client.get(f"/review/?r={random.choice(items[:10])}", name="review queue ?r=")
        found = APPROVE_FORM.search(page.text)
        if found:
            pk, revision = found.groups()
            self.post_form(f"/review/{pk}/approve/", {"revision": revision}, name="approve", taken=(409,))


class Manager(Browser):
    role = "managers"
    weight = 0
    fixed_count = PLAN["managers"]
    wait_time = between(20, 40)

    @task
    def report(self) -> None:
        slug = random.choice(self.person["brands"])
        span = f"?start={PLAN['report_start']}&end={PLAN['report_end']}"
        self.client.get(f"/reports/{slug}/{span}", name="report (7 days)")
        self.client.get(f"/reports/{slug}/tickets/{span}&metric=fr_breached", name="report drill-down")


class Crisis(HttpUser):
    """The platform's side: signed deliveries of new mentions, at an even pace over the burst."""

    weight = 0
    fixed_count = PLAN["burst_senders"]
    _numbers = iter(range(10**6))

    def wait_time(self):
        return self._pacing(self)

    def on_start(self) -> None:
        self.index = next(self._numbers)
        senders = PLAN["burst_senders"]
        self.deliveries = PLAN["burst_mentions"] // PLAN["burst_items"] // senders
        self._pacing = constant_pacing(PLAN["burst_seconds"] / self.deliveries)
        self.sent = 0
        offset = self.index * PLAN["burst_seconds"] / self.deliveries / senders
        gevent.sleep(max(0.0, STARTED + PLAN["burst_at"] + offset - time.monotonic()))

    @task
    def deliver(self) -> None:
        if self.sent >= self.deliveries:
            raise StopUser()
        account = PLAN["accounts"][(self.index + self.sent) % len(PLAN["accounts"])]
        run = PLAN["run"]
        items = []
        for i in range(PLAN["burst_items"]):
            k = f"{run:05d}{self.index:03d}{self.sent:05d}{i:03d}"
            words = random.sample(WORDS, 6)
            items.append(
                {
                    "created_at": time.strftime("%a %b %d %H:%M:%S +0000 %Y", time.gmtime()),
                    "id_str": f"9{k}",
                    "text": f"@{account['handle']} {' '.join(words)} order {k}",
                    "in_reply_to_status_id_str": None,
                    "user": {"id_str": f"7{k}", "screen_name": f"u{k}", "name": "Pelanggan"},
                    "lang": "in",
                    "timestamp_ms": str(int(time.time() * 1000)),
                }
            )
        body = json.dumps(
            {"for_user_id": account["external_id"], "tweet_create_events": items}, separators=(",", ":")
        ).encode()
        digest = hmac.new(account["secret"].encode(), body, hashlib.sha256).digest()
        signature = "sha256=" + base64.b64encode(digest).decode()
        self.sent += 1
        # as the platforms do: a delivery not answered 200 is sent again (X retries for hours; here 20 times, 2 s
        # apart), so that a stack restarting under it loses nothing that the platform still holds
        for attempt in range(PLAN.get("burst_retries", 20) + 1):
            with self.client.post(
                "/webhooks/x/",
                data=body,
                headers={"Content-Type": "application/json", "X-Twitter-Webhooks-Signature": signature},
                name=f"webhook ({PLAN['burst_items']} mentions)" + (" retry" if attempt else ""),
                catch_response=True,
            ) as response:
                ok = response.status_code == 200 and response.json().get("received")
                if ok:
                    response.success()
                    with _accepted_lock:
                        _accepted.extend(item["id_str"] for item in items)
                    return
                response.failure(f"{response.status_code} {response.text[:200]}")
            gevent.sleep(2)


@events.test_stop.add_listener
def _write_accepted(environment, **kwargs) -> None:
    with open(PLAN["accepted_file"], "w") as out:
        json.dump(_accepted, out)
