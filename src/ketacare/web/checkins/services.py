"""Check-ins: enrolment, the schedule (the core's cadence rules), links, delivery, answers and
the alerts they raise. Each action is one transaction with an audit entry.

The link: ``secrets.token_urlsafe(32)`` (256 random bits) goes into the message only; the database
keeps its SHA-256. A link works once, until it expires (the clinic's ``link_hours``), optionally
after the patient confirms their date of birth; wrong answers and many tries from one address are
throttled. Messages carry the link and nothing about the patient.

The three periodic jobs (``send_due_checkins``, ``send_reminders``,
``escalate_unacknowledged_alerts``) are plain functions of ``now``; the task queue calls them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ketacare.core.checkins import cadence
from ketacare.core.checkins.contact import QuietHours, is_quiet
from ketacare.core.checkins.forms import patient_scales
from ketacare.core.checkins.signals import (
    DEFAULT_MISSED_AFTER_HOURS,
    DEFAULT_REMINDER_HOURS,
    reminder_action,
    shows_crisis_text,
    worsening_signal,
)
from ketacare.core.errors import InputError
from ketacare.web.accounts.models import Clinic, User
from ketacare.web.accounts.permissions import require
from ketacare.web.audit.services import record, snapshot
from ketacare.web.checkins.models import (
    OPEN_STATUSES,
    AlertNotice,
    CheckIn,
    CheckinSettings,
    CheckinStatus,
    Enrolment,
    LinkRequest,
)
from ketacare.web.courses.models import Course, PlannedSession
from ketacare.web.lib.records import ConflictError, save_versioned
from ketacare.web.measures.models import Alert, Measure
from ketacare.web.measures.services import record_self_report
from ketacare.web.notify.email import send_email
from ketacare.web.notify.sms import send_sms
from ketacare.web.patients.models import Patient

MAX_FAILED_ATTEMPTS = 5
IP_ATTEMPTS_PER_WINDOW = 30
IP_WINDOW_SECONDS = 15 * 60
ACTIVE_COURSE = ("induction", "review", "maintenance")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9 ()-]{7,20}$")

MESSAGE = (
    "Your clinic asks you to answer a short questionnaire.\n\n{url}\n\n"
    "The link works once, for {hours} hours. If it has expired, open it to ask for a new one."
)
REMINDER = "A reminder from your clinic: a short questionnaire is waiting.\n\n{url}"
SUBJECT = "A short questionnaire from your clinic"


# ---------------------------------------------------------------- settings and tokens


def settings_for(clinic: Clinic | int) -> CheckinSettings:
    clinic_id = clinic if isinstance(clinic, int) else clinic.pk
    row, _ = CheckinSettings.objects.get_or_create(clinic_id=clinic_id)
    return row


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh link token (256 random bits, URL-safe) and its SHA-256, the only thing stored."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def link_url(token: str) -> str:
    return settings.KETACARE_BASE_URL + reverse("checkins:answer", kwargs={"token": token})


def rule_of(enrolment: Enrolment) -> cadence.CadenceRule:
    rule = cadence.get_rule(enrolment.rule_id)
    if enrolment.every_days:
        rule = cadence.with_interval(rule, enrolment.every_days)
    return rule


def default_rule_id(clinic: Clinic, course: Course | None) -> str:
    s = settings_for(clinic)
    if course is not None and course.protocol_id in (s.protocol_rules or {}):
        return str(s.protocol_rules[course.protocol_id])
    return s.default_rule


# ---------------------------------------------------------------- quiet hours


def local_quiet_hours(enrolment: Enrolment, now: dt.datetime) -> bool:
    """Whether ``now`` falls in the patient's quiet hours on the clinic's wall clock, as the
    core decides it (``core.checkins.contact.is_quiet``: windows across midnight, DST nights)."""
    start, end = enrolment.quiet_start, enrolment.quiet_end
    if start is None or end is None or start == end:
        return False
    return is_quiet(now, enrolment.clinic.time_zone or "UTC", QuietHours(start, end))


QuietCheck = Callable[[Enrolment, dt.datetime], bool]


# ---------------------------------------------------------------- enrolment and schedule


def _check_contact(channel: str, contact: str) -> str:
    contact = (contact or "").strip()
    if channel == "email":
        if not EMAIL_RE.match(contact):
            raise InputError("contact", contact, "an email address, e.g. name@example.org")
    elif channel == "sms":
        if not PHONE_RE.match(contact):
            raise InputError("contact", contact, "a phone number, e.g. +1 555 010 0199")
    else:
        raise InputError("channel", channel, "email or sms")
    return contact


def _check_rule(rule_id: str, every_days: int | None) -> None:
    cadence.get_rule(rule_id)  # UnknownIdError (an InputError) names the rules
    if every_days is not None:
        cadence.Step(every_days)


def enrol(
    actor: User,
    patient: Patient,
    *,
    channel: str,
    contact: str,
    consent_to_contact: bool,
    quiet_start: dt.time | None = None,
    quiet_end: dt.time | None = None,
    rule_id: str | None = None,
    every_days: int | None = None,
    course: Course | None = None,
    today: dt.date | None = None,
) -> Enrolment:
    """Enrol a patient for check-ins (one enrolment per patient; a second is refused)."""
    require(actor, "manage_checkins")
    contact = _check_contact(channel, contact)
    if not consent_to_contact:
        raise InputError(
            "consent_to_contact", False, "the patient's consent to be contacted (ticked)"
        )
    if course is not None and course.patient_id != patient.pk:
        raise InputError("course", str(course.uuid), "a course of this patient")
    if course is None:
        course = patient.courses.filter(status__in=ACTIVE_COURSE).order_by("-start_date").first()
    rule_id = rule_id or default_rule_id(patient.clinic, course)
    _check_rule(rule_id, every_days)
    if Enrolment.objects.filter(patient=patient).exists():
        from ketacare.web.lib.records import DuplicateError

        raise DuplicateError("patient", str(patient.uuid), "one enrolment per patient: change it")
    now = timezone.now()
    with transaction.atomic():
        enrolment = Enrolment.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            course=course,
            channel=channel,
            contact=contact,
            consent_to_contact=True,
            consent_at=now,
            quiet_start=quiet_start,
            quiet_end=quiet_end,
            rule_id=rule_id,
            every_days=every_days,
            enrolled_on=today or timezone.localdate(),
            enrolled_by=actor,
        )
        record(actor, "checkin.enrol", enrolment, None, snapshot(enrolment))
    return enrolment


def change_enrolment(
    actor: User,
    enrolment: Enrolment,
    *,
    expected_version: int,
    reason: str,
    **changes: Any,
) -> Enrolment:
    """Change the schedule (rule, interval), pause or resume, the channel, contact or quiet
    hours, or record an opt-out (``opted_out=True``). Keeps history in the audit trail."""
    require(actor, "manage_checkins")
    if not reason or not reason.strip():
        raise InputError("reason", reason, "why the check-ins change")
    if enrolment.version != expected_version:
        raise ConflictError(enrolment, expected_version, enrolment.version)
    allowed = {
        "rule_id",
        "every_days",
        "paused",
        "channel",
        "contact",
        "quiet_start",
        "quiet_end",
        "opted_out",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise InputError(
            sorted(unknown)[0], changes[sorted(unknown)[0]], ", ".join(sorted(allowed))
        )
    rule_id = changes.get("rule_id", enrolment.rule_id)
    every_days = changes.get("every_days", enrolment.every_days)
    _check_rule(rule_id, every_days)
    channel = changes.get("channel", enrolment.channel)
    contact = _check_contact(channel, changes.get("contact", enrolment.contact))
    with transaction.atomic():
        before = snapshot(enrolment)
        enrolment.rule_id, enrolment.every_days = rule_id, every_days
        enrolment.channel, enrolment.contact = channel, contact
        for name in ("quiet_start", "quiet_end"):
            if name in changes:
                setattr(enrolment, name, changes[name])
        if "paused" in changes:
            enrolment.paused = bool(changes["paused"])
            enrolment.paused_reason = reason.strip()[:300] if enrolment.paused else ""
        if changes.get("opted_out"):
            enrolment.opted_out_at = enrolment.opted_out_at or timezone.now()
        fields = [
            "rule_id",
            "every_days",
            "channel",
            "contact",
            "quiet_start",
            "quiet_end",
            "paused",
            "paused_reason",
            "opted_out_at",
        ]
        save_versioned(enrolment, expected_version, fields)
        record(actor, "checkin.change", enrolment, before, snapshot(enrolment), reason.strip())
    return enrolment


@dataclass(frozen=True)
class ScheduleInputs:
    phase: str | None
    last_checkin: dt.date | None
    last_treatment: dt.date | None
    next_session: dt.date | None


def schedule_inputs(enrolment: Enrolment, today: dt.date) -> ScheduleInputs:
    """The plain values the core's ``next_due`` reads, from the stored records."""
    last = (
        CheckIn.objects.filter(patient_id=enrolment.patient_id)
        .exclude(status=CheckinStatus.CANCELLED)
        .order_by("-due_on")
        .values_list("due_on", flat=True)
        .first()
    )
    course = enrolment.course
    if course is None or course.status not in ACTIVE_COURSE:
        course = (
            Course.objects.filter(patient_id=enrolment.patient_id, status__in=ACTIVE_COURSE)
            .order_by("-start_date")
            .first()
        )
    planned = PlannedSession.objects.filter(course__patient_id=enrolment.patient_id)
    last_treatment = (
        planned.filter(status="done", date__lte=today)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    next_session = (
        planned.filter(status="planned", date__gte=today)
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )
    return ScheduleInputs(
        phase=course.status if course is not None else None,
        last_checkin=last,
        last_treatment=last_treatment,
        next_session=next_session,
    )


def next_due_for(enrolment: Enrolment, today: dt.date | None = None) -> cadence.Due:
    today = today or timezone.localdate()
    inputs = schedule_inputs(enrolment, today)
    return cadence.next_due(
        rule_of(enrolment),
        enrolled_on=enrolment.enrolled_on,
        phase=inputs.phase,
        last_checkin=inputs.last_checkin,
        last_treatment=inputs.last_treatment,
        next_session=inputs.next_session,
    )


# ---------------------------------------------------------------- check-ins and delivery


def create_checkin(
    actor: User | None,
    patient: Patient,
    *,
    scales: Sequence[str] | None = None,
    due: cadence.Due | None = None,
    send: bool = True,
    now: dt.datetime | None = None,
) -> tuple[CheckIn, str]:
    """A new check-in and its link token (returned once: only its hash is stored). ``send``
    delivers it on the enrolment's channel; otherwise the caller hands the link out (API).
    ``actor`` None: the schedule (a periodic job)."""
    if actor is not None:
        require(actor, "send_checkin")
    now = now or timezone.now()
    enrolment = Enrolment.objects.filter(patient=patient).select_related("clinic").first()
    if send and (enrolment is None or not enrolment.active):
        raise InputError(
            "patient",
            str(patient.uuid),
            "a patient enrolled for check-ins, with consent, not opted out or paused",
        )
    if scales is None:
        scales = cadence.get_rule(enrolment.rule_id).scales if enrolment is not None else ("phq9",)
    scales = list(dict.fromkeys(scales))
    allowed = patient_scales()
    for i, scale_id in enumerate(scales):
        if scale_id not in allowed:
            raise InputError(
                f"scales[{i}]", scale_id, "a scale whose text may be shown: " + ", ".join(allowed)
            )
    if not scales:
        raise InputError("scales", [], "at least one scale: " + ", ".join(allowed))
    s = settings_for(patient.clinic_id)
    token, digest = new_token()
    # the answers are judged against the baseline of the patient's active course
    course = enrolment.course if enrolment is not None else None
    if course is None or course.status not in ACTIVE_COURSE:
        course = (
            Course.objects.filter(patient=patient, status__in=ACTIVE_COURSE)
            .order_by("-start_date")
            .first()
        ) or course
    with transaction.atomic():
        checkin = CheckIn.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            course=course,
            scales=scales,
            due_on=due.date if due else timezone.localdate(now),
            kind=due.kind if due else "on request",
            reason=(due.reason if due else "sent by staff")[:300],
            rule_source=due.source if due else "",
            token_hash=digest,
            channel=(enrolment.channel if send and enrolment else ""),
            created_by=actor,
            expires_at=now + dt.timedelta(hours=s.link_hours),
        )
        record(actor, "checkin.create", checkin, None, snapshot(checkin))
        if send and enrolment is not None:
            _deliver(checkin, enrolment, token, MESSAGE, now)
            CheckIn.objects.filter(pk=checkin.pk).update(sent_at=now)
            checkin.sent_at = now
            record(actor, "checkin.send", checkin, None, {"channel": enrolment.channel})
    return checkin, token


def _deliver(
    checkin: CheckIn, enrolment: Enrolment, token: str, text: str, now: dt.datetime
) -> None:
    hours = settings_for(checkin.clinic_id).link_hours
    body = text.format(url=link_url(token), hours=hours)
    if enrolment.channel == "sms":
        send_sms(enrolment.contact, body)
    else:
        send_email(enrolment.contact, SUBJECT, body)


def resend(actor: User, checkin: CheckIn) -> tuple[CheckIn, str]:
    """A new link for an open, expired or missed check-in: the old one is cancelled (its link
    stops working) and a new check-in with the same scales is sent."""
    require(actor, "send_checkin")
    if checkin.status == CheckinStatus.COMPLETED:
        raise InputError("check-in", str(checkin.uuid), "a check-in not yet answered")
    with transaction.atomic():
        before = snapshot(checkin)
        if checkin.status in OPEN_STATUSES:
            checkin.status = CheckinStatus.CANCELLED
            checkin.save(update_fields=["status"])
            record(actor, "checkin.cancel", checkin, before, snapshot(checkin), "resent")
        LinkRequest.objects.filter(checkin=checkin, handled_at__isnull=True).update(
            handled_at=timezone.now()
        )
        return create_checkin(actor, checkin.patient, scales=checkin.scales)


def send_due_checkins(now: dt.datetime, in_quiet_hours: QuietCheck = local_quiet_hours) -> int:
    """Create and send every check-in the schedule says is due (one open check-in per patient at
    most); returns how many were sent. Outside quiet hours only."""
    sent = 0
    enrolments = Enrolment.objects.filter(
        consent_to_contact=True, opted_out_at__isnull=True, paused=False
    ).select_related("clinic", "patient", "course")
    for enrolment in enrolments:
        with transaction.atomic():
            # the enrolment row locked (PostgreSQL): two runs of the job at once (a task
            # delivered twice, acks_late) send one check-in, the second sees it open
            Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()
            if CheckIn.objects.filter(
                patient_id=enrolment.patient_id, status__in=OPEN_STATUSES
            ).exists():
                continue
            zone = zoneinfo.ZoneInfo(enrolment.clinic.time_zone or "UTC")
            today = now.astimezone(zone).date()
            due = next_due_for(enrolment, today)
            if due.date > today or in_quiet_hours(enrolment, now):
                continue
            create_checkin(None, enrolment.patient, due=due, now=now)
            sent += 1
    return sent


def send_reminders(now: dt.datetime, in_quiet_hours: QuietCheck = local_quiet_hours) -> int:
    """Remind unanswered check-ins at the clinic's hours (default 24 h and 72 h after sending);
    after ``missed_after_hours`` mark them missed. Returns reminders sent plus check-ins marked
    missed. A reminder carries a new link (the first one's token is not stored)."""
    done = 0
    open_checkins = CheckIn.objects.filter(
        status__in=OPEN_STATUSES, sent_at__isnull=False
    ).select_related("patient", "clinic")
    for checkin in open_checkins:
        s = settings_for(checkin.clinic_id)
        action = reminder_action(
            checkin.sent_at,  # type: ignore[arg-type]  # filtered sent_at__isnull=False above
            now,
            checkin.reminders_sent,
            reminder_hours=tuple(s.reminder_hours or DEFAULT_REMINDER_HOURS),
            missed_after_hours=s.missed_after_hours or DEFAULT_MISSED_AFTER_HOURS,
        )
        if action == "missed":
            with transaction.atomic():
                before = snapshot(checkin)
                checkin.status, checkin.missed_at = CheckinStatus.MISSED, now
                checkin.save(update_fields=["status", "missed_at"])
                record(None, "checkin.missed", checkin, before, snapshot(checkin))
            done += 1
        elif action == "remind":
            enrolment = Enrolment.objects.filter(patient_id=checkin.patient_id).first()
            if enrolment is None or not enrolment.active or in_quiet_hours(enrolment, now):
                continue
            token, digest = new_token()
            with transaction.atomic():
                before = snapshot(checkin)
                checkin.token_hash = digest
                checkin.reminders_sent += 1
                checkin.last_reminder_at = now
                checkin.expires_at = max(checkin.expires_at, now + dt.timedelta(hours=24))
                checkin.save(
                    update_fields=["token_hash", "reminders_sent", "last_reminder_at", "expires_at"]
                )
                _deliver(checkin, enrolment, token, REMINDER, now)
                record(None, "checkin.remind", checkin, before, snapshot(checkin))
            done += 1
    return done


def escalate_unacknowledged_alerts(now: dt.datetime) -> int:
    """Email the clinic admin about each suicidal-ideation alert still open after the clinic's
    ``escalate_after_minutes``; once per alert. Returns how many were escalated."""
    escalated = 0
    alerts = (
        Alert.objects.filter(acknowledged_at__isnull=True, kind="suicidal_ideation")
        .exclude(notices__kind="escalated")
        .select_related("patient", "clinic", "measure")
    )
    for alert in alerts:
        s = settings_for(alert.clinic_id)
        if not s.admin_email or alert.raised_at > now - dt.timedelta(
            minutes=s.escalate_after_minutes
        ):
            continue
        with transaction.atomic():
            notice = AlertNotice.objects.create(
                clinic_id=alert.clinic_id,
                patient_id=alert.patient_id,
                alert=alert,
                kind="escalated",
                to=s.admin_email,
            )
            _alert_mail(alert, s.admin_email, escalated=True)
            record(None, "checkin.escalate", notice, None, snapshot(notice))
        escalated += 1
    return escalated


def _alert_mail(alert: Alert, to: str, *, escalated: bool) -> None:
    url = settings.KETACARE_BASE_URL + reverse(
        "measures:acknowledge", kwargs={"alert_uuid": alert.uuid}
    )
    head = "NOT ACKNOWLEDGED: " if escalated else ""
    # the escalation covers every suicidal-ideation alert, not only those of a check-in: say
    # where it came from
    self_report = getattr(alert.measure, "source", "") == "patient"
    origin = " from a patient check-in" if self_report else ""
    what = "self-report" if self_report else "rating entered at the clinic"
    # staff mail: it names the alert's level, not the patient (open the link, signed in)
    send_email(
        to,
        f"{head}Suicidal-ideation alert ({alert.level}){origin}",
        f"A patient's {what} raised a {alert.level} suicidal-ideation alert.\n"
        f"Review and acknowledge it (sign in): {url}\n",
    )


# ---------------------------------------------------------------- the patient's link


class LinkRefused(Exception):
    """The link cannot be used: ``reason`` is "unknown", "expired", "used", "locked" or
    "throttled". The page shows the same plain refusal for each."""

    def __init__(self, reason: str, checkin: CheckIn | None = None) -> None:
        self.reason = reason
        self.checkin = checkin
        super().__init__(reason)


def _throttle(ip: str) -> None:
    key = f"checkin-ip:{hashlib.sha256(ip.encode()).hexdigest()}"
    cache.add(key, 0, IP_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, IP_WINDOW_SECONDS)
        count = 1
    if count > IP_ATTEMPTS_PER_WINDOW:
        raise LinkRefused("throttled")


def find_checkin(token: str, ip: str, now: dt.datetime | None = None) -> CheckIn:
    """The check-in of a link, or LinkRefused. Every call counts against the address."""
    now = now or timezone.now()
    _throttle(ip)
    if not token or len(token) > 100:
        raise LinkRefused("unknown")
    checkin = (
        CheckIn.objects.select_related("patient", "clinic", "course")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if checkin is None:
        raise LinkRefused("unknown")
    if checkin.status not in OPEN_STATUSES:
        raise LinkRefused(
            "used" if checkin.status == CheckinStatus.COMPLETED else "expired", checkin
        )
    if checkin.expires_at <= now:
        raise LinkRefused("expired", checkin)
    if checkin.failed_attempts >= MAX_FAILED_ATTEMPTS:
        raise LinkRefused("locked", checkin)
    return checkin


def mark_opened(checkin: CheckIn, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        if checkin.opened_at is None:
            checkin.opened_at = now
            checkin.status = CheckinStatus.OPENED
            checkin.save(update_fields=["opened_at", "status"])
        record(None, "checkin.open", checkin, None, {"opened_at": now})


def confirm_birth_date(checkin: CheckIn, given: dt.date | None) -> bool:
    """Whether ``given`` is the patient's date of birth; a wrong one counts (5 lock the link)."""
    if given is not None and given == checkin.patient.date_of_birth:
        return True
    with transaction.atomic():
        CheckIn.objects.filter(pk=checkin.pk).update(failed_attempts=checkin.failed_attempts + 1)
        checkin.failed_attempts += 1
        record(
            None, "checkin.dob_failed", checkin, None, {"failed_attempts": checkin.failed_attempts}
        )
    return False


@dataclass(frozen=True)
class Submitted:
    measures: list[Measure]
    crisis: bool
    crisis_text: str


def submit(
    checkin: CheckIn, answers: Mapping[str, Sequence[int | None]], now: dt.datetime | None = None
) -> Submitted:
    """Store the patient's answers: each scale scored by the core, stored with source "patient",
    judged against the course baseline; a positive suicide item alerts the care team (dashboard
    and the on-call email) and shows the crisis text; a rise raises a worsening alert. The link
    is used up. A second submission of the same link (a race) is refused."""
    now = now or timezone.now()
    for scale_id in checkin.scales:
        if scale_id not in answers:
            raise InputError(scale_id, None, f"answers to every {scale_id} question")
    s = settings_for(checkin.clinic_id)
    with transaction.atomic():
        locked = CheckIn.objects.select_for_update().get(pk=checkin.pk)
        if locked.status not in OPEN_STATUSES:
            raise LinkRefused("used", locked)
        measures = []
        crisis = False
        for scale_id in checkin.scales:
            previous = (
                Measure.objects.filter(
                    patient_id=checkin.patient_id, scale_id=scale_id, withdrawn=False
                )
                .exclude(total__isnull=True)
                .order_by("-taken_at")
                .values_list("total", flat=True)
                .first()
            )
            measure = record_self_report(
                checkin.patient,
                scale_id=scale_id,
                items=list(answers[scale_id]),
                taken_at=now,
                course=checkin.course,
            )
            measures.append(measure)
            if shows_crisis_text(measure.si_level):
                crisis = True
                for alert in measure.alerts.all():
                    if s.on_call_email:
                        notice = AlertNotice.objects.create(
                            clinic_id=alert.clinic_id,
                            patient_id=alert.patient_id,
                            alert=alert,
                            kind="on_call",
                            to=s.on_call_email,
                        )
                        _alert_mail(alert, s.on_call_email, escalated=False)
                        record(None, "checkin.notify", notice, None, snapshot(notice))
            if measure.total is not None:
                w = worsening_signal(scale_id, previous, measure.total, threshold=s.worsening_rise)
                if w.flag:
                    alert = Alert.objects.create(
                        clinic_id=checkin.clinic_id,
                        patient_id=checkin.patient_id,
                        measure=measure,
                        kind="worsening",
                        level="watch",
                        reason=f"Self-report: {w.reason}",
                        source=w.source,
                    )
                    record(None, "alert.raise", alert, None, snapshot(alert))
        before = snapshot(locked)
        locked.status = CheckinStatus.COMPLETED
        locked.completed_at = now
        locked.measures = [str(m.uuid) for m in measures]
        locked.crisis_shown = crisis
        locked.save(update_fields=["status", "completed_at", "measures", "crisis_shown"])
        record(None, "checkin.submit", locked, before, snapshot(locked))
    return Submitted(measures, crisis, s.crisis_text if crisis else "")


def request_new_link(checkin: CheckIn | None) -> None:
    """A patient asked for a new link: noted for the clinic's check-in page (once per link)."""
    if checkin is None:
        return
    with transaction.atomic():
        if LinkRequest.objects.filter(checkin=checkin, handled_at__isnull=True).exists():
            return
        req = LinkRequest.objects.create(
            clinic_id=checkin.clinic_id, patient_id=checkin.patient_id, checkin=checkin
        )
        record(None, "checkin.link_request", req, None, snapshot(req))
