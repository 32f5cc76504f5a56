"""Cases: a referral and everything done about it until it closes.

Every write with a rule goes through cases.services; reads go through Case.objects.visible_to(user)
(cases.querysets), which is the one place that says who may see a case.
"""

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse

from wkm.personal_data import PersonalData

from .querysets import WORKING_STATUSES, CaseAssignmentQuerySet, CaseQuerySet


class DisputeType(models.TextChoices):
    NEIGHBOUR = "neighbour", "Neighbour"
    FAMILY = "family", "Family"
    PARENT_TEEN = "parent_teen", "Parent/teen"
    RESTORATIVE = "restorative", "Restorative conferencing"
    COMMUNITY = "community", "Community/group"
    WORKPLACE = "workplace", "Workplace"
    OTHER = "other", "Other"


class ReferralSource(models.TextChoices):
    SELF = "self", "Self-referral"
    HOUSING = "housing", "Housing provider"
    POLICE = "police", "Police"
    COUNCIL = "council", "Council/ASB team"
    SCHOOL = "school", "School"
    HEALTH = "health", "Health"
    OTHER_AGENCY = "other_agency", "Other agency"


class Status(models.TextChoices):
    REFERRED = "referred", "Referred"
    CONTACTING = "contacting", "Contacting parties"
    AWAITING_CONSENT = "awaiting_consent", "Awaiting consent"
    READY = "ready", "Ready to assign"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class Outcome(models.TextChoices):
    FULL_AGREEMENT = "full_agreement", "Full agreement"
    PARTIAL_AGREEMENT = "partial_agreement", "Partial agreement"
    NO_AGREEMENT = "no_agreement", "No agreement"
    IMPROVED_COMMUNICATION = "improved_communication", "Improved communication"
    WITHDRAWN = "withdrawn", "Withdrawn"
    UNSUITABLE = "unsuitable", "Unsuitable for mediation"
    NOT_CONTACTABLE = "not_contactable", "Not contactable"


# Rules name these codes (public self-referral, the public form's "other agency"), so they stay
# current: a referral from the public site must always have a source it may use.
PINNED_REFERRAL_SOURCES = (ReferralSource.SELF, ReferralSource.OTHER_AGENCY)


@pghistory.track(append_only=True)
class ListEntry(models.Model):
    """One value of a list administrators edit without a deploy (cases.lists): a referral
    source, a dispute type or a closing outcome, with its label and place in the list.

    The code is what cases store and what the code base names, so it never changes and is never
    reused: entries are retired, never deleted (a trigger refuses both), and a retired code keeps
    its label on the cases and in the reports that have it. Dispute types and outcomes have the
    fixed codes of DisputeType and Outcome (rules hang on them: accreditation by dispute type,
    mediated outcomes): only their label and position change. Referral sources may be added and
    retired too, except the ones rules name (PINNED_REFERRAL_SOURCES).
    """

    class List(models.TextChoices):
        REFERRAL_SOURCE = "referral_source", "Referral sources"
        DISPUTE_TYPE = "dispute_type", "Dispute types"
        OUTCOME = "outcome", "Closing outcomes"

    list = models.CharField(max_length=20, choices=List.choices)
    code = models.CharField(max_length=30, editable=False)
    label = models.CharField(
        max_length=100, help_text="As it is shown on every page, form, export and report."
    )
    position = models.PositiveSmallIntegerField(
        default=0,
        help_text=(
            "Where it comes in the list: lower numbers first. The lists are numbered in tens, "
            "so an entry can go between two others (15 goes between 10 and 20)."
        ),
    )
    retired_at = models.DateTimeField("retired", null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    personal_data = PersonalData(
        not_personal=(
            "id",
            "list",
            "code",
            "label",
            "position",
            "retired_at",
            "created_at",
            "updated_at",
        ),
    )

    class Meta:
        ordering = ["list", "position", "label"]  # as cases.lists reads them
        verbose_name = "list entry"
        verbose_name_plural = "list entries"
        constraints = [
            models.UniqueConstraint(fields=["list", "code"], name="list_entry_code_once"),
            models.UniqueConstraint("list", Upper("label"), name="list_entry_label_once"),
            # Rules hang on the codes of dispute types and outcomes, and of the pinned sources.
            models.CheckConstraint(
                condition=models.Q(retired_at__isnull=True)
                | (models.Q(list="referral_source") & ~models.Q(code__in=PINNED_REFERRAL_SOURCES)),
                name="list_entry_retires_only_free_sources",
            ),
        ]
        triggers = [
            # A code is what cases hold: never deleted (retired instead), never renamed, never
            # moved to another list — whatever the entry point (admin, shell, raw SQL).
            pgtrigger.Protect(name="list_entry_never_deleted", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="list_entry_code_fixed",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange("list", "code"),
            ),
        ]

    def __str__(self):
        return f"{self.label} ({self.get_list_display().lower()})"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        from .lists import forget

        forget()

    @property
    def audit_repr(self) -> str:
        return f"List entry {self.list}:{self.code}"

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class ReferenceCounter(models.Model):
    """The last case number used in a year; see services.allocate_reference."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"


@pghistory.track(append_only=True)
class Case(models.Model):
    reference = models.CharField(max_length=20, unique=True, editable=False)
    dispute_type = models.CharField(max_length=20, choices=DisputeType.choices)
    # A code of the editable list of referral sources (ListEntry, cases.lists): administrators
    # add sources without a deploy, so the field has no fixed choices; the case's services
    # accept only a current source for a new case or a change (a retired one stays on the
    # cases that have it).
    referral_source = models.CharField(max_length=30)
    referrer_name = models.CharField("referrer's name", max_length=200, blank=True)
    referrer_organisation = models.CharField(max_length=200, blank=True)
    referrer_contact = models.CharField("referrer's phone or email", max_length=200, blank=True)
    # The referring organisation and person as records (referrers); the three fields above are
    # what was typed before there were records, or for a referrer who is not one.
    referrer = models.ForeignKey(
        "referrers.Referrer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name="referring organisation",
    )
    referrer_person = models.ForeignKey(
        "referrers.ReferrerContact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name="person who referred",
    )
    # The area of the case for funders' reports: the postcode district ("ME14") of its first
    # party with a postcode, kept by the parties' services (reports group by it).
    postcode_district = models.CharField(max_length=4, blank=True, editable=False)
    received_on = models.DateField("date received")
    summary = models.TextField(
        help_text="What the dispute is about, in a few sentences. Confidential."
    )
    risk_violence = models.BooleanField("threats or violence reported", default=False)
    risk_safeguarding = models.BooleanField(
        "safeguarding concern (a child or adult at risk)", default=False
    )
    risk_lone_working = models.BooleanField("do not visit alone / home visit risk", default=False)
    risk_notes = models.TextField("risk and safeguarding notes", blank=True)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REFERRED)
    status_changed_at = models.DateTimeField(auto_now_add=True)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coordinated_cases",
    )
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    follow_up_on = models.DateField("follow-up date", null=True, blank=True)
    # When the follow-up was done: a call, letter, email, visit or meeting logged on or after
    # the follow-up date, or a coordinator marking it done (cases.services.follow_up_done).
    follow_up_done_on = models.DateField("follow-up done on", null=True, blank=True)
    # Where a reopened case goes back to: the status it had when it was closed.
    status_before_close = models.CharField(max_length=20, choices=Status.choices, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The case's id in the spreadsheet or old system it was imported from (imports): importing
    # the same sheet again finds it and adds nothing. Blank for cases typed in.
    external_id = models.CharField("id in the imported sheet", max_length=64, blank=True)

    objects = CaseQuerySet.as_manager()

    personal_data = PersonalData(
        contact=("referrer_contact",),
        personal=("referrer_name", "summary", "risk_notes"),
        not_personal=(
            "id",
            "reference",
            "dispute_type",
            "referral_source",
            "referrer_organisation",
            "referrer",
            "referrer_person",
            "postcode_district",
            "received_on",
            "risk_violence",
            "risk_safeguarding",
            "risk_lone_working",
            "status",
            "status_changed_at",
            "coordinator",
            "outcome",
            "closed_on",
            "follow_up_on",
            "follow_up_done_on",
            "status_before_close",
            "created_at",
            "created_by",
            "external_id",
        ),
    )

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["-received_on", "-id"], name="case_received_idx"),
            # Searching by part of a reference ("15785") uses trigrams, not a scan.
            GinIndex(
                OpClass(Upper("reference"), name="gin_trgm_ops"), name="case_reference_trgm_idx"
            ),
            # The referrer's organisation searched for word by word (cases.search), the same way.
            GinIndex(
                OpClass(Upper("referrer_organisation"), name="gin_trgm_ops"),
                name="case_referrer_org_trgm_idx",
            ),
            models.Index(fields=["status", "-received_on"], name="case_status_idx"),
            # Referrals nobody has contacted yet, oldest first (the coordinator's home page): the
            # planner would otherwise walk case_received_idx through every closed case (34 ms →
            # 1.5 ms at 100,000 cases).
            models.Index(
                fields=["received_on", "id"],
                condition=models.Q(status__in=["referred", "contacting"]),
                name="case_not_contacted_idx",
            ),
            models.Index(fields=["dispute_type"], name="case_dispute_idx"),
            models.Index(fields=["referral_source"], name="case_source_idx"),
            models.Index(fields=["coordinator"], name="case_coordinator_idx"),
            models.Index(fields=["referrer", "-received_on"], name="case_referrer_idx"),
            models.Index(fields=["postcode_district"], name="case_district_idx"),
            models.Index(fields=["closed_on"], name="case_closed_on_idx"),
            # Follow-ups still to do (the home page panel and the daily reminders).
            models.Index(
                fields=["follow_up_on"],
                condition=models.Q(status="closed", follow_up_done_on__isnull=True),
                name="case_follow_up_idx",
            ),
            # "Closed in the last 12 months" on the coordinator's home page, counted from the
            # index alone.
            models.Index(
                fields=["closed_on"],
                condition=models.Q(status="closed"),
                name="case_closed_recent_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="closed") | models.Q(closed_on__isnull=False),
                name="case_closed_has_date",
            ),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="case_external_id_unique",
            ),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("cases:detail", kwargs={"reference": self.reference})

    @property
    def audit_repr(self) -> str:
        return self.reference

    @property
    def case_reference_for_audit(self) -> str:
        return self.reference

    # The labels of the editable lists (cases.lists), as the administrators last named them:
    # every page, letter, export and report that shows a case's type, source or outcome asks
    # here (Django's own get_FOO_display would give the labels the code was shipped with).
    def get_dispute_type_display(self) -> str:
        from .lists import DISPUTE_TYPE, label

        return label(DISPUTE_TYPE, self.dispute_type)

    def get_referral_source_display(self) -> str:
        from .lists import REFERRAL_SOURCE, label

        return label(REFERRAL_SOURCE, self.referral_source)

    def get_outcome_display(self) -> str:
        from .lists import OUTCOME, label

        return label(OUTCOME, self.outcome)

    @property
    def waiting_for(self) -> str:
        from .lifecycle import WAITING_FOR

        return WAITING_FOR[self.status]

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    @property
    def risk_flags(self) -> list[str]:
        fields = ("risk_violence", "risk_safeguarding", "risk_lone_working")
        return [self._meta.get_field(f).verbose_name for f in fields if getattr(self, f)]

    def current_assignments(self) -> list["CaseAssignment"]:
        """The current pair (CaseAssignmentQuerySet.current), from the assignments prefetched
        with their volunteers when the page has them (cases.access.case_queryset_for)."""
        return [a for a in self.assignments.all() if a.is_current]


@pghistory.track(append_only=True)
class CaseAssignment(models.Model):
    """A volunteer working on a case, from one date to another (history is kept on replacement)."""

    class Role(models.TextChoices):
        LEAD = "lead", "Lead mediator"
        CO_MEDIATOR = "co_mediator", "Co-mediator"
        TRAINEE = "trainee", "Trainee"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    volunteer = models.ForeignKey(
        "volunteers.Volunteer", on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    override_reason = models.TextField(blank=True)
    # The conflicts of interest (rule 8) a coordinator accepted with the reason above, by key
    # (volunteers.eligibility.Problem.key): a conflict that arises later is not covered.
    overridden_conflicts = models.JSONField(default=list, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CaseAssignmentQuerySet.as_manager()

    personal_data = PersonalData(
        personal=("override_reason",),
        not_personal=(
            "id",
            "case",
            "volunteer",
            "role",
            "started_on",
            "ended_on",
            "overridden_conflicts",
            "assigned_by",
        ),
    )

    class Meta:
        ordering = ["started_on", "id"]
        indexes = [
            models.Index(
                fields=["volunteer", "case"],
                condition=models.Q(ended_on__isnull=True),
                name="assignment_current_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "volunteer"],
                condition=models.Q(ended_on__isnull=True),
                name="assignment_one_current_per_volunteer",
            ),
        ]

    def __str__(self):
        return f"{self.volunteer} on {self.case}"

    @property
    def is_current(self) -> bool:
        """Part of the current pair (CaseAssignmentQuerySet.current says the same in SQL)."""
        return self.ended_on is None and self.volunteer.status in WORKING_STATUSES


# The timeline entry kinds that mean somebody was actually contacted (a note is not contact).
CONTACT_KINDS = ("call", "letter", "email", "visit", "meeting")


@pghistory.track(append_only=True)
class ContactLogEntry(models.Model):
    """One line of a case's timeline: a call, letter, email, visit or note."""

    class Kind(models.TextChoices):
        CALL = "call", "Phone call"
        LETTER = "letter", "Letter"
        EMAIL = "email", "Email"
        VISIT = "visit", "Visit"
        MEETING = "meeting", "Meeting"
        NOTE = "note", "Note"
        EVENT = "event", "Update"  # written by the services (cases.timeline), not typed

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="log_entries")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NOTE)
    party = models.ForeignKey(
        "parties.Party",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="log_entries",
        verbose_name="with",
        help_text="The party this contact was with, if any.",
    )
    private_to = models.ForeignKey(
        "parties.Party",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="private_notes",
        verbose_name="private to",
        help_text=(
            "What this party said in a separate meeting: never shown to, or printed for, "
            "another party."
        ),
    )
    text = models.TextField("what happened")
    occurred_at = models.DateTimeField("when")
    is_draft = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    personal_data = PersonalData(
        personal=("text",),
        not_personal=(
            "id",
            "case",
            "kind",
            "party",
            "private_to",
            "occurred_at",
            "is_draft",
            "author",
            "created_at",
        ),
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = "contact log entry"
        verbose_name_plural = "contact log entries"
        indexes = [
            models.Index(fields=["case", "-occurred_at"], name="log_case_idx"),
            # Each case's first contact (the timeliness report): one index entry per case.
            models.Index(
                fields=["case", "occurred_at"],
                condition=models.Q(is_draft=False, kind__in=CONTACT_KINDS),
                name="log_first_contact_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.case}"

    @property
    def audit_repr(self) -> str:
        return f"Log entry #{self.pk}"

    @property
    def case_reference_for_audit(self) -> str:
        return self.case.reference


@pghistory.track(append_only=True)
class Agreement(models.Model):
    """One version of a case's written agreement. Editing an agreed version makes a new draft;
    earlier versions stay readable (and become superseded once a later one is agreed)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AGREED = "agreed", "Agreed"
        SIGNED = "signed", "Signed"
        SUPERSEDED = "superseded", "Superseded"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="agreements")
    version = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    introduction = models.TextField(
        blank=True, help_text="In the parties' own words: what they want the agreement to achieve."
    )
    review_on = models.DateField("review date", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    personal_data = PersonalData(
        personal=("introduction",),
        not_personal=(
            "id",
            "case",
            "version",
            "status",
            "review_on",
            "created_by",
            "created_at",
            "agreed_at",
            "signed_at",
        ),
    )

    class Meta:
        ordering = ["case", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="agreement_version_once"),
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="draft"), name="agreement_one_draft"
            ),
        ]

    def __str__(self):
        return f"Agreement v{self.version} for {self.case}"

    def get_absolute_url(self):
        return reverse(
            "cases:agreement_detail", kwargs={"reference": self.case.reference, "pk": self.pk}
        )

    @property
    def audit_repr(self) -> str:
        return f"Agreement #{self.pk} v{self.version}"

    @property
    def case_reference_for_audit(self) -> str:
        return self.case.reference

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


@pghistory.track(append_only=True)
class AgreementTerm(models.Model):
    """One numbered term: who will do what, by when."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="terms")
    position = models.PositiveSmallIntegerField()
    who = models.CharField("who", max_length=200, help_text="For example: Mr Fowler")
    what = models.TextField("will do what")
    by_when = models.CharField(
        "by when",
        max_length=200,
        blank=True,
        help_text="For example: by 1 December, or every evening",
    )

    personal_data = PersonalData(
        personal=("who", "what", "by_when"),
        not_personal=("id", "agreement", "position"),
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return f"{self.position}. {self.who}"


class AgreementSignature(models.Model):
    """A party's (or mediator's) signature on an agreed version, or a note that they agreed
    verbally."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatures")
    party = models.ForeignKey(
        "parties.Party", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    signed_on = models.DateField()
    verbal = models.BooleanField(
        "agreed verbally", default=False, help_text="They agreed but did not sign."
    )
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    personal_data = PersonalData(
        personal=("note",),
        not_personal=(
            "id",
            "agreement",
            "party",
            "volunteer",
            "signed_on",
            "verbal",
            "recorded_by",
        ),
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(party__isnull=False, volunteer__isnull=True)
                | models.Q(party__isnull=True, volunteer__isnull=False),
                name="signature_one_signer",
            ),
            models.UniqueConstraint(fields=["agreement", "party"], name="signature_once_per_party"),
            models.UniqueConstraint(
                fields=["agreement", "volunteer"], name="signature_once_per_volunteer"
            ),
        ]

    def __str__(self):
        return f"Signature on {self.agreement}"
