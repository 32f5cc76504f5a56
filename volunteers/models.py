"""Volunteers: the people who mediate, always in pairs, and what makes them safe to send.

The rules that use these records (DESIGN.md rules 1-6 and 8) live in volunteers.eligibility and
volunteers.services; this module holds the data and small invariants only.
"""

from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from parties.validators import normalise_phone, normalise_postcode
from wkm.personal_data import PersonalData


class AccreditationKind(models.TextChoices):
    COMMUNITY = "community", "Community mediation"
    PARENT_TEEN = "parent_teen", "Parent/teen mediation"
    RESTORATIVE = "restorative", "Restorative conferencing"


@pghistory.track(append_only=True)
class Volunteer(models.Model):
    class Status(models.TextChoices):
        APPLICANT = "applicant", "Applicant"
        IN_TRAINING = "in_training", "In training"
        TRAINEE = "trainee", "Trainee"
        MEDIATOR = "mediator", "Mediator"
        INACTIVE = "inactive", "Inactive"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
        verbose_name="login",
        help_text="The login this volunteer uses, if they have one.",
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    languages = models.CharField(
        max_length=200, blank=True, help_text="Languages they can mediate in, e.g. English, Polish."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.APPLICANT)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_volunteers",
        help_text="For trainees: the qualified supervisor who signs off their cases.",
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Their id in the spreadsheet or old system they were imported from (imports): importing
    # the same sheet again finds them and adds nothing. Blank for volunteers typed in.
    external_id = models.CharField("id in the imported sheet", max_length=64, blank=True)

    personal_data = PersonalData(
        contact=("email", "phone", "address", "postcode"),
        personal=("first_name", "last_name", "languages", "notes"),
        kept=("status", "supervisor", "created_at"),
        not_personal=("id", "user", "external_id"),
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["status"], name="volunteer_status_idx"),
            models.Index(fields=["supervisor"], name="volunteer_supervisor_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="volunteer_external_id_unique",
            ),
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("volunteers:detail", kwargs={"pk": self.pk})

    def clean(self):
        errors = {}
        for name, normalise in (("postcode", normalise_postcode), ("phone", normalise_phone)):
            try:
                setattr(self, name, normalise(getattr(self, name)))
            except ValidationError as error:
                errors[name] = error.messages
        if errors:
            raise ValidationError(errors)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_trainee(self) -> bool:
        return self.status == self.Status.TRAINEE

    @property
    def audit_repr(self) -> str:
        return f"Volunteer #{self.pk}"


@pghistory.track(append_only=True)
class DBSCheck(models.Model):
    """A Disclosure and Barring Service certificate. ``current_until`` is worked out by the
    service's policy (volunteers.dbs) whenever a check is recorded or its status checked."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="dbs_checks")
    certificate_number = models.CharField(max_length=12)
    enhanced = models.BooleanField(default=True, help_text="An enhanced DBS check.")
    issued_on = models.DateField()
    update_service = models.BooleanField(
        "on the Update Service", default=False, help_text="Subscribed to the DBS Update Service."
    )
    last_status_check_on = models.DateField(
        "last Update Service status check", null=True, blank=True
    )
    current_until = models.DateField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    personal_data = PersonalData(
        personal=("certificate_number",),
        kept=("enhanced", "issued_on", "update_service", "last_status_check_on", "current_until"),
        not_personal=("id", "volunteer", "recorded_by", "recorded_at"),
    )

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = "DBS check"
        indexes = [models.Index(fields=["volunteer", "-current_until"], name="dbs_current_idx")]

    def __str__(self):
        return f"DBS {self.certificate_number}"

    def clean(self):
        errors = {}
        number = self.certificate_number.strip()
        # isascii(): str.isdigit() is also true of "١٢٣" and "²³", which are not on a certificate.
        if not (number.isascii() and number.isdigit() and len(number) == 12):
            errors["certificate_number"] = ["A DBS certificate number has 12 digits."]
        today = timezone.localdate()
        if self.issued_on and self.issued_on > today:
            errors["issued_on"] = ["The issue date cannot be in the future."]
        if self.last_status_check_on:
            if not self.update_service:
                errors["last_status_check_on"] = [
                    "A status check needs the certificate to be on the Update Service."
                ]
            elif self.last_status_check_on > today:
                errors["last_status_check_on"] = ["The status check cannot be in the future."]
            elif self.issued_on and self.last_status_check_on < self.issued_on:
                errors["last_status_check_on"] = ["The status check cannot be before issue."]
        if errors:
            raise ValidationError(errors)

    def is_current(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.current_until is not None and self.current_until >= on


@pghistory.track(append_only=True)
class TrainingRecord(models.Model):
    class Course(models.TextChoices):
        COMMUNITY = "community", "Community mediation course (40 hours)"
        PARENT_TEEN = "parent_teen", "Parent/teen mediation"
        RESTORATIVE = "restorative", "Restorative conferencing"
        OTHER = "other", "Other training"

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="training")
    course = models.CharField(max_length=20, choices=Course.choices)
    hours = models.DecimalField(max_digits=5, decimal_places=1)
    completed_on = models.DateField(
        null=True, blank=True, help_text="Leave empty while the course is in progress."
    )
    notes = models.CharField(max_length=200, blank=True)

    personal_data = PersonalData(
        personal=("notes",),
        kept=("course", "hours", "completed_on"),
        not_personal=("id", "volunteer"),
    )

    class Meta:
        ordering = ["-completed_on", "-id"]

    def __str__(self):
        return f"{self.get_course_display()}: {self.hours} h"

    def clean(self):
        if self.hours is not None and not (Decimal("0.5") <= self.hours <= 500):
            raise ValidationError({"hours": "Enter the hours, between 0.5 and 500."})
        if self.completed_on and self.completed_on > timezone.localdate():
            raise ValidationError({"completed_on": "The completion date cannot be in the future."})


class AccreditationQuerySet(models.QuerySet):
    def held(self):
        """Accreditations in force: not revoked."""
        return self.filter(revoked_on__isnull=True)


@pghistory.track(append_only=True)
class Accreditation(models.Model):
    """An accreditation granted, and (if it was) revoked: the record stays either way."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="accreditations"
    )
    kind = models.CharField(max_length=20, choices=AccreditationKind.choices)
    granted_on = models.DateField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    prior_evidence = models.CharField(
        "accredited before joining",
        max_length=300,
        blank=True,
        help_text="For a mediator accredited elsewhere: by whom and when, and the evidence seen.",
    )
    revoked_on = models.DateField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_reason = models.CharField("why it was revoked", max_length=300, blank=True)

    objects = AccreditationQuerySet.as_manager()

    personal_data = PersonalData(
        personal=("prior_evidence", "revoked_reason"),
        kept=("kind", "granted_on", "revoked_on"),
        not_personal=("id", "volunteer", "granted_by", "revoked_by"),
    )

    class Meta:
        ordering = ["kind", "-granted_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "kind"],
                condition=models.Q(revoked_on__isnull=True),
                name="accreditation_once",
            ),
        ]

    def __str__(self):
        return self.get_kind_display()

    @property
    def is_held(self) -> bool:
        return self.revoked_on is None


@pghistory.track(append_only=True)
class DeclaredConnection(models.Model):
    """Someone a volunteer knows, or a street they live near: they must not mediate for them
    (rule 8) unless a coordinator records why it is acceptable."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="connections")
    person_name = models.CharField("person's name", max_length=200, blank=True)
    street = models.CharField("street or area", max_length=200, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    note = models.CharField(max_length=200, blank=True)

    personal_data = PersonalData(
        personal=("person_name", "street", "postcode", "note"),
        not_personal=("id", "volunteer"),
    )

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.person_name or self.street or self.postcode

    def clean(self):
        try:
            self.postcode = normalise_postcode(self.postcode)
        except ValidationError as error:
            raise ValidationError({"postcode": error.messages}) from error
        if not (self.person_name.strip() or self.street.strip() or self.postcode):
            raise ValidationError("Give a person's name, a street or a postcode.")


class Availability(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    class Part(models.TextChoices):
        MORNING = "morning", "Morning"
        AFTERNOON = "afternoon", "Afternoon"
        EVENING = "evening", "Evening"

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    part_of_day = models.CharField(max_length=10, choices=Part.choices)

    personal_data = PersonalData(
        kept=("weekday", "part_of_day"),
        not_personal=("id", "volunteer"),
    )

    class Meta:
        ordering = ["weekday", "part_of_day"]
        verbose_name_plural = "availability"
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "weekday", "part_of_day"], name="availability_once"
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.get_part_of_day_display().lower()}"


@pghistory.track(append_only=True)
class TraineeCase(models.Model):
    """One of the three supervised community cases a trainee co-mediates before accreditation."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting sign-off"
        SIGNED_OFF = "signed_off", "Signed off"
        MORE_WORK = "more_work", "More work needed"
        # The trainee left the case, or it closed before mediation: it never counts.
        ENDED = "ended", "Ended: does not count"

    # Still on its way to sign-off.
    OPEN_STATUSES = (Status.PENDING, Status.MORE_WORK)

    trainee = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="trainee_cases")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="trainee_cases")
    co_mediator = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="mentored_cases"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_trainee_cases",
    )
    reflection = models.TextField(blank=True)
    reflection_at = models.DateTimeField(null=True, blank=True)
    feedback = models.TextField("co-mediator's feedback", blank=True)
    feedback_at = models.DateTimeField(null=True, blank=True)
    # Who wrote the feedback down: the co-mediator, or a coordinator or supervisor on their
    # behalf (a co-mediator without a login tells them).
    feedback_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_reason = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    supervisor_comments = models.TextField(blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    personal_data = PersonalData(
        personal=("reflection", "feedback", "supervisor_comments"),
        not_personal=(
            "id",
            "trainee",
            "case",
            "co_mediator",
            "supervisor",
            "reflection_at",
            "feedback_at",
            "feedback_recorded_by",
            "ended_reason",
            "status",
            "signed_by",
            "signed_at",
            "created_at",
        ),
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["supervisor", "status"], name="traineecase_supervisor_idx"),
            models.Index(fields=["trainee", "status"], name="traineecase_trainee_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["trainee", "case"], name="traineecase_once"),
        ]

    def __str__(self):
        return f"{self.trainee} on {self.case}"

    def get_absolute_url(self):
        return reverse("volunteers:trainee_case", kwargs={"pk": self.pk})

    @property
    def stage(self) -> str:
        """Where it is on the way to sign-off, in words for the pages."""
        if self.status == self.Status.SIGNED_OFF:
            return "Signed off"
        if self.status == self.Status.ENDED:
            return f"Ended: {self.ended_reason}" if self.ended_reason else "Ended"
        if self.case.is_open:
            return "Case in progress"
        if not self.reflection_at:
            return "Awaiting the trainee's reflection"
        if not self.feedback_at:
            return "Awaiting the co-mediator's feedback"
        if self.status == self.Status.MORE_WORK:
            return "More work asked for"
        return "Ready for sign-off"

    @property
    def ready_for_sign_off(self) -> bool:
        return (
            self.status == self.Status.PENDING
            and not self.case.is_open
            and bool(self.reflection_at)
            and bool(self.feedback_at)
        )

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def feedback_on_behalf(self) -> bool:
        """The feedback was written down by someone other than the co-mediator."""
        return bool(
            self.feedback_at
            and self.feedback_recorded_by_id
            and self.feedback_recorded_by_id != self.co_mediator.user_id
        )

    @property
    def audit_repr(self) -> str:
        return f"Trainee case #{self.pk}"

    @property
    def case_reference_for_audit(self) -> str:
        return self.case.reference


class VolunteerHours(models.Model):
    """Time and mileage a volunteer gives, per case or other activity."""

    class Activity(models.TextChoices):
        CASEWORK = "casework", "Casework"
        TRAINING = "training", "Training"
        SUPERVISION = "supervision", "Supervision"
        OTHER = "other", "Other"

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="hours")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activity = models.CharField(max_length=20, choices=Activity.choices)
    date = models.DateField()
    hours = models.DecimalField(max_digits=4, decimal_places=1)
    miles = models.DecimalField(max_digits=5, decimal_places=1, default=0)
    note = models.CharField(max_length=200, blank=True)

    personal_data = PersonalData(
        personal=("note",),
        kept=("activity", "date", "hours", "miles"),
        not_personal=("id", "volunteer", "case"),
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = "volunteer hours"
        indexes = [
            models.Index(fields=["volunteer", "-date"], name="hours_volunteer_idx"),
            # The volunteers report sums a period's hours and miles from the index alone.
            models.Index(
                fields=["date"], include=["activity", "hours", "miles"], name="hours_date_idx"
            ),
        ]

    def __str__(self):
        return f"{self.hours} h on {self.date}"

    def clean(self):
        errors = {}
        if self.hours is not None and not (Decimal("0.5") <= self.hours <= 24):
            errors["hours"] = ["Enter between 0.5 and 24 hours for one day."]
        if self.miles is not None and not (0 <= self.miles <= 1000):
            errors["miles"] = ["Enter the miles travelled, up to 1,000."]
        if self.date and self.date > timezone.localdate():
            errors["date"] = ["Hours cannot be logged for a future date."]
        if self.activity == self.Activity.CASEWORK and self.case_id is None:
            errors["case"] = ["Choose the case the casework was for."]
        if errors:
            raise ValidationError(errors)
