"""What the reports keep of their own: the postcode district → local authority table that the
area breakdowns look up (reports.districts says why districts, and which districts)."""

from django.core.validators import RegexValidator
from django.db import models

from wkm.personal_data import PersonalData


class PostcodeDistrict(models.Model):
    """A postcode district ("ME14") and the local authority it reports under ("Maidstone").

    Seeded for Kent and Medway (reports migration 0002), editable by administrators in the
    admin: a district that straddles a boundary is given to one authority, the one with most
    of it, and a service working elsewhere adds its own. A case whose district is not here
    reports as "Not in the table"."""

    district = models.CharField(
        "postcode district",
        max_length=4,
        primary_key=True,
        validators=[
            RegexValidator(
                r"^[A-Z]{1,2}[0-9][0-9A-Z]?$",
                "Enter the first half of a postcode in capitals, such as ME14 or TN9.",
            )
        ],
        help_text="The first half of a postcode, in capitals, e.g. ME14.",
    )
    local_authority = models.CharField(
        "local authority", max_length=100, help_text="e.g. Maidstone, Medway."
    )

    personal_data = PersonalData(not_personal=("district", "local_authority"))

    class Meta:
        ordering = ["district"]
        verbose_name = "postcode district"
        indexes = [models.Index(fields=["local_authority"], name="district_authority_idx")]

    def __str__(self):
        return f"{self.district} ({self.local_authority})"
