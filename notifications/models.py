"""The outbox: every email and text message the service sends, as one row each.

Rows are written by notifications.outbox, inside the transaction of whatever made them necessary,
and sent exactly once by notifications.dispatch.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format

from wkm.personal_data import PersonalData


class OutboxMessage(models.Model):
    """The outbox: one message to send to one person at one time, written in the same
    transaction as whatever made it necessary, and sent exactly once by notifications.dispatch.
    Every email and text message the service sends is one of these rows."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"

    class Kind(models.TextChoices):
        SESSION_REMINDER = "session_reminder", "Session reminder"
        SESSION_CANCELLED = "session_cancelled", "Session cancelled"
        DBS_EXPIRY = "dbs_expiry", "DBS expiry warning"
        FOLLOW_UP = "follow_up", "Follow-up due"
        UNASSIGNED_DIGEST = "unassigned_digest", "Unassigned referrals digest"
        RULE_DIGEST = "rule_digest", "Cases and volunteers needing attention"
        ASSIGNED = "assigned", "Assigned to a case"
        REFERRAL_RECEIVED = "referral_received", "Referral received"
        APPLICATION_RECEIVED = "application_received", "Volunteer application received"
        LATE_NOTICE = "late_notice", "A party could not be told in time"
        SURVEY_FEEDBACK = "survey_feedback", "Feedback survey"
        SURVEY_FOLLOW_UP = "survey_follow_up", "Outcome follow-up survey"
        REFERRER_UPDATE = "referrer_update", "Update to the referrer"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    session = models.ForeignKey(
        "mediation_sessions.MediationSession",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    # Exactly one recipient: a party, a volunteer, a staff user or a referrer's contact.
    party = models.ForeignKey(
        "parties.Party", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    referrer_contact = models.ForeignKey(
        "referrers.ReferrerContact",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # Where to send it, fixed when the reminder is written (an email address or E.164 number).
    address = models.CharField(max_length=254)
    # For a reminder: how long before the session (in minutes), for the wording and for moving it.
    lead_minutes = models.PositiveIntegerField(null=True, blank=True)
    context = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    # Which dispatcher run holds the claim: a run only sends, and marks, rows it still holds.
    claim_token = models.UUIDField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    # When retention cleared its address and context (notifications.retention): a sent message
    # is kept as a count and a time, not as whom it went to and what it said.
    scrubbed_at = models.DateTimeField(null=True, blank=True)
    # Stops a scheduled job from writing the same message twice (e.g. one DBS warning a day).
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    personal_data = PersonalData(
        contact=("address",),
        personal=("context", "last_error"),
        not_personal=(
            "id",
            "kind",
            "channel",
            "session",
            "party",
            "volunteer",
            "user",
            "referrer_contact",
            "lead_minutes",
            "due_at",
            "status",
            "attempts",
            "claimed_until",
            "claim_token",
            "sent_at",
            "provider_message_id",
            "scrubbed_at",
            "dedupe_key",
            "created_at",
        ),
    )

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="reminder_due_idx",
            ),
            models.Index(fields=["session", "status"], name="reminder_session_idx"),
            models.Index(fields=["status", "-due_at"], name="reminder_status_idx"),
            # The messages retention has still to clear (notifications.retention.due_q): small,
            # whereas reminder_status_idx would have the daily run read every message ever sent.
            models.Index(
                fields=["due_at"],
                condition=models.Q(
                    status__in=["sent", "failed", "cancelled"], scrubbed_at__isnull=True
                ),
                name="outbox_retention_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        party__isnull=False,
                        volunteer__isnull=True,
                        user__isnull=True,
                        referrer_contact__isnull=True,
                    )
                    | models.Q(
                        party__isnull=True,
                        volunteer__isnull=False,
                        user__isnull=True,
                        referrer_contact__isnull=True,
                    )
                    | models.Q(
                        party__isnull=True,
                        volunteer__isnull=True,
                        user__isnull=False,
                        referrer_contact__isnull=True,
                    )
                    | models.Q(
                        party__isnull=True,
                        volunteer__isnull=True,
                        user__isnull=True,
                        referrer_contact__isnull=False,
                    )
                ),
                name="reminder_one_recipient",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.get_channel_display().lower()}"


class ManualContactQuerySet(models.QuerySet):
    def to_do(self):
        """Open tasks that still make sense (``still_wanted_q``): what a coordinator should do."""
        return self.filter(status=ManualContact.Status.OPEN).filter(still_wanted_q())


def still_wanted_q() -> models.Q:
    """A task may still be done: its party may be contacted, and a reminder's session is still
    scheduled on an open case — as notifications.outbox.may_still_go_q asks of a message, so a
    change made by any means (the admin, a data fix) hides what it should even before the
    services cancel it."""
    from cases.models import Status as CaseStatus
    from parties.consent import contact_stopped_q
    from surveys.conditions import task_wanted_q

    return (
        ~contact_stopped_q(models.OuterRef("party_id"))
        & (
            ~models.Q(kind=ManualContact.Kind.SESSION_REMINDER)
            | (models.Q(session__status="scheduled") & ~models.Q(case__status=CaseStatus.CLOSED))
        )
        # A survey's call or letter, while the party's invitation is open (surveys.conditions).
        & task_wanted_q()
    )


class ManualContact(models.Model):
    """A message the service cannot send itself, so a coordinator phones or writes instead: a
    party who asked for letters, or for calls on a landline (notifications.channels). Written by
    notifications.outbox where it would have written the message, cancelled wherever that
    message would have been, done by a coordinator from the case page (notifications.manual)."""

    class Kind(models.TextChoices):
        # The message it stands for (OutboxMessage.Kind's values).
        SESSION_REMINDER = "session_reminder", "Session reminder"
        SESSION_CANCELLED = "session_cancelled", "Session cancelled"
        SURVEY_FEEDBACK = "survey_feedback", "Feedback survey"
        SURVEY_FOLLOW_UP = "survey_follow_up", "Outcome follow-up survey"

    class Method(models.TextChoices):
        PHONE = "phone", "Phone call"
        LETTER = "letter", "Letter"

    class Status(models.TextChoices):
        OPEN = "open", "To do"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="manual_contacts")
    party = models.ForeignKey(
        "parties.Party", on_delete=models.CASCADE, related_name="manual_contacts"
    )
    session = models.ForeignKey(
        "mediation_sessions.MediationSession",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="manual_contacts",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    method = models.CharField(max_length=10, choices=Method.choices)
    # Why by hand, in fixed words ("Prefers letters."): never the number or the address.
    reason = models.CharField(max_length=200, blank=True)
    # When it should be done by: the time the message it stands for would have gone.
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # One task per party, session, time and kind: rescheduling, or a new pair taking over the
    # session, reopens or keeps the same task rather than adding another.
    dedupe_key = models.CharField(max_length=200, unique=True)

    objects = ManualContactQuerySet.as_manager()

    personal_data = PersonalData(
        kept=("method", "reason"),
        not_personal=(
            "id",
            "case",
            "party",
            "session",
            "kind",
            "due_at",
            "status",
            "done_at",
            "done_by",
            "created_at",
            "dedupe_key",
        ),
    )

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=models.Q(status="open"),
                name="manual_contact_open_due_idx",
            ),
            models.Index(fields=["case", "status"], name="manual_contact_case_idx"),
            models.Index(fields=["session", "status"], name="manual_contact_session_idx"),
            models.Index(fields=["party", "status"], name="manual_contact_party_idx"),
        ]

    def __str__(self):
        return f"{self.get_method_display()}: {self.get_kind_display().lower()}"

    @property
    def session_words(self) -> str:
        """For example "the joint meeting on Tue 15 Dec 2026 at 10:00" (London time)."""
        if self.session is None:
            return "their session"
        start = timezone.localtime(self.session.starts_at)
        return (
            f"the {self.session.get_kind_display().lower()} on "
            f"{date_format(start, 'D j M Y')} at {start:%H:%M}"
        )

    @property
    def about(self) -> str:
        """What to tell them, for the case page: "Remind them of the joint meeting on …"."""
        if self.kind == self.Kind.SESSION_CANCELLED:
            return f"Tell them {self.session_words} is cancelled"
        if self.kind in (self.Kind.SURVEY_FEEDBACK, self.Kind.SURVEY_FOLLOW_UP):
            survey = self.get_kind_display().lower()
            if self.method == self.Method.LETTER:
                return f"Post them the {survey}, with their link and QR code"
            return f"Ask them the {survey} questions, and record their answers"
        return f"Remind them of {self.session_words}"

    @property
    def about_in_sentence(self) -> str:
        """``about`` inside a sentence ("remind them of the joint meeting on Tue 15 Dec 2026"):
        only its first letter lowered, so the day and month keep their capitals and a screen
        reader says them as words."""
        about = self.about
        return about[:1].lower() + about[1:]

    @property
    def audit_repr(self) -> str:
        return f"Manual contact #{self.pk} ({self.get_method_display().lower()})"

    @property
    def case_reference_for_audit(self) -> str:
        return self.case.reference


class PartyReply(models.Model):
    """A party's answer to a session reminder, from the personal link in it or by text message
    (notifications.replies). It asks; the coordinator decides: a request to cancel does not
    cancel the session. Each answer is a row (the latest is the party's answer now)."""

    class Answer(models.TextChoices):
        CONFIRM = "confirm", "Will come"
        REARRANGE = "rearrange", "Asked to rearrange"
        CANCEL = "cancel", "Asked to cancel"

    class Channel(models.TextChoices):
        WEB = "web", "Link in the reminder"
        SMS = "sms", "Text message"

    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="replies")
    session = models.ForeignKey(
        "mediation_sessions.MediationSession", on_delete=models.CASCADE, related_name="replies"
    )
    answer = models.CharField(max_length=10, choices=Answer.choices)
    reason = models.TextField(blank=True)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    received_at = models.DateTimeField()
    # The start of the session when the party answered: an answer is about that time only, so a
    # session moved since is unanswered (notifications.replies.answers_now).
    for_starts_at = models.DateTimeField()
    # A salted hash of the address a web answer came from (wkm.addresses.ip_hash); none by text.
    ip_hash = models.CharField(max_length=64, blank=True)
    # The SMS provider's id of the text answered with: the same text delivered twice is one reply.
    provider_message_id = models.CharField(max_length=200, null=True, blank=True, unique=True)

    personal_data = PersonalData(
        personal=("reason", "ip_hash"),
        not_personal=(
            "id",
            "party",
            "session",
            "answer",
            "channel",
            "received_at",
            "for_starts_at",
            "provider_message_id",
        ),
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name_plural = "party replies"
        indexes = [
            models.Index(fields=["session", "party", "-received_at"], name="party_reply_idx"),
        ]

    def __str__(self):
        return f"{self.get_answer_display()} ({self.get_channel_display().lower()})"

    @property
    def audit_repr(self) -> str:
        return f"Reply #{self.pk} to a session reminder"


class ReplyLinkMiss(models.Model):
    """An address that opened a reply link that is not one (a wrong, tampered or unknown token):
    enough of them in an hour and that address is refused for a while (notifications.replies).
    Only a salted hash of the address is kept, and rows over a day old are deleted."""

    ip_hash = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["ip_hash", "-at"], name="reply_link_miss_idx")]

    def __str__(self):
        return f"Wrong reply link at {self.at:%Y-%m-%d %H:%M}"
