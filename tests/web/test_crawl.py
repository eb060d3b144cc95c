"""A crawl of the demo clinic: as each demo role, every same-site link reachable from the landing
page (GET only, a bounded number) and every object page of every kind answers below 500.

The demo is seeded in-process on the test database (``ketacare.web.demo.seed``, the data
``ketacare demo`` serves). Links that change something on GET or stream large files (sign out,
exports) and the Django admin are skipped. Failures are listed in the assertion message, each
with the page it was linked from.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from ketacare.web import demo

ROLES = ("admin", "prescriber", "nurse", "frontdesk", "researcher")
PER_ROLE = 160  # pages followed per role (breadth first from the landing page)
SKIP = re.compile(r"(logout|sign-?out|export|/static/|/admin/|\.(png|jpe?g|svg|css|js|ico)$)", re.I)
PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def _crawl(client: Any, limit: int) -> tuple[int, list[str]]:
    """Breadth first from ``/``, following redirects; returns (pages fetched, failures)."""
    failures: list[str] = []
    first = client.get("/", follow=True)
    if first.status_code >= 500:
        return 1, [f"{first.status_code} / (landing)"]
    landing = first.request["PATH_INFO"]
    seen = {"/", landing}
    queue = deque([(landing, first)])
    fetched = 1
    while queue and fetched < limit:
        url, response = queue.popleft()
        if "html" not in response.get("Content-Type", ""):
            continue
        for href in _links(response.content.decode("utf-8", "replace")):
            parts = urlsplit(urljoin(url, href))
            if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
                continue
            key = parts.path + (f"?{parts.query}" if parts.query else "")
            if key in seen or SKIP.search(parts.path):
                continue
            seen.add(key)
            answer = client.get(key)
            fetched += 1
            if answer.status_code >= 500:
                failures.append(f"{answer.status_code} {key} (linked from {url})")
            elif answer.status_code < 400:
                queue.append((key, answer))
            if fetched >= limit:
                break
    return fetched, failures


def _patterns() -> Iterator[str]:
    """Every URL pattern of the project (but the admin and static files), as text."""
    from django.urls import URLResolver, get_resolver

    def walk(resolver: Any, prefix: str) -> Iterator[str]:
        for p in resolver.url_patterns:
            text = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                yield from walk(p, text)
            elif not text.startswith(("admin/", "^static")):
                yield text

    yield from walk(get_resolver(), "")


def _objects() -> dict[str, list[str]]:
    """For each URL parameter, the values of a few objects of that kind: every session state
    of today, signed sessions of each drug, open and acknowledged alerts..."""
    from ketacare.core import evidence
    from ketacare.web.accounts.models import User
    from ketacare.web.courses.models import Course, PlannedSession
    from ketacare.web.measures.models import Alert, Measure
    from ketacare.web.patients.models import AntidepressantTrial, Patient
    from ketacare.web.treatments.models import TreatmentSession, VitalSign

    def uuids(qs: Any, n: int = 3) -> list[str]:
        return [str(u) for u in qs.values_list("uuid", flat=True)[:n]]

    sessions: list[str] = []
    for state in ("signed", "open"):
        for drug in ("esketamine", "racemic"):
            sessions += uuids(
                TreatmentSession.objects.filter(status=state, course__drug=drug).order_by("-date"),
                12 if state == "open" else 2,
            )
    return {
        "patient_uuid": uuids(Patient.objects.order_by("id"), 3),
        "course_uuid": uuids(Course.objects.order_by("status", "id"), 4),
        "planned_uuid": uuids(PlannedSession.objects.order_by("-date"), 2),
        "session_uuid": sessions,
        "measure_uuid": uuids(Measure.objects.order_by("scale_id"), 2),
        "alert_uuid": uuids(Alert.objects.filter(acknowledged_at__isnull=True), 1)
        + uuids(Alert.objects.filter(acknowledged_at__isnull=False), 1),
        "vital_uuid": uuids(VitalSign.objects.filter(out_of_range=True), 2),
        "trial_uuid": uuids(AntidepressantTrial.objects.all(), 1),
        "user_uuid": uuids(User.objects.order_by("id"), 2),
        "trial_id": [t.id for t in evidence.list_trials()[:3]],
    }


def _object_pages(objects: dict[str, list[str]]) -> list[str]:
    """Every pattern with parameters, filled with each object of its kind (GET only)."""
    pages: list[str] = []
    for pattern in _patterns():
        names = PARAM.findall(pattern)
        if not names or any(n not in objects for n in names):
            continue
        if any(not objects[n] for n in names):
            continue
        for i in range(max(len(objects[n]) for n in names)):

            def fill(match: re.Match[str], i: int = i) -> str:
                values = objects[match.group(1)]
                return values[i % len(values)]

            pages.append("/" + PARAM.sub(fill, pattern).lstrip("^").rstrip("$"))
    return sorted(set(pages))


@pytest.mark.django_db
def test_every_page_the_demo_roles_reach_answers_below_500(client: Any) -> None:
    from ketacare.web.accounts.models import User

    list(demo.seed())
    objects = _objects()
    object_pages = _object_pages(objects)
    assert len(object_pages) > 40, object_pages
    failures: list[str] = []
    report: list[str] = []
    for username in ROLES:
        user = User.objects.get(username=username)
        client.force_login(user)
        fetched, failed = _crawl(client, PER_ROLE)
        failures += [f"as {username}: {f}" for f in failed]
        for path in object_pages:
            answer = client.get(path)
            if answer.status_code >= 500:
                failures.append(f"as {username}: {answer.status_code} {path} (object page)")
        report.append(f"{username}: {fetched} linked pages, {len(object_pages)} object pages")
        assert fetched > 5 or username == "researcher", (username, fetched)
        client.logout()
    print("\n".join(report))
    assert not failures, "\n".join(failures + report)
