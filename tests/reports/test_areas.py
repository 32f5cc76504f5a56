"""A case's area (Case.postcode_district) stays the district of its first party with a
postcode, whichever service last changed the parties; the district table is seeded for Kent
and Medway; the backfill sets it for cases that were there before."""

import datetime
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import OuterRef

from audit.models import AuditEvent
from cases import services as case_services
from cases.models import Case
from parties import services as party_services
from parties.areas import district_of, refresh_case_district
from privacy import services as privacy_services
from reports.districts import KENT_AND_MEDWAY
from reports.models import PostcodeDistrict
from reports.services import district_delete, district_save
from tests.factories import CaseFactory, PartyFactory

pytestmark = pytest.mark.django_db

CASE_FIELDS = {
    "dispute_type": "neighbour",
    "referral_source": "council",
    "received_on": datetime.date(2026, 11, 20),
    "summary": "Dispute over a boundary hedge.",
}


def party(**overrides):
    return {
        "full_name": "Alice Carter",
        "role": "first_party",
        "postcode": "",
        "phone": "01732 123456",
        "preferred_contact": "phone",
        **overrides,
    }


def district(case) -> str:
    return Case.objects.values_list("postcode_district", flat=True).get(pk=case.pk)


@pytest.mark.parametrize(
    ("postcode", "expected"),
    [
        ("ME14 1XX", "ME14"),
        ("me14 1xx", "ME14"),
        ("ME141XX", "ME14"),
        ("TN9 1AA", "TN9"),
        ("EC1A 1BB", "EC1A"),
        ("ME14", "ME14"),
        ("", ""),
        ("not a postcode", ""),
    ],
)
def test_the_district_is_the_outward_code(postcode, expected):
    assert district_of(postcode) == expected


def test_intake_gives_the_case_the_first_partys_district_with_a_postcode(coordinator):
    case = case_services.case_create(
        by=coordinator,
        fields=CASE_FIELDS,
        parties=[
            party(),  # no postcode: the next party's counts
            party(full_name="Bob Dunn", role="other_party", postcode="me14 1aa"),
            party(full_name="Cy Dunn", role="other_party", postcode="TN9 1AA"),
        ],
    )

    assert district(case) == "ME14"


def test_a_self_referral_from_the_public_form_gets_its_district():
    from public.services import referral_submit

    case = referral_submit(
        case_fields={"dispute_type": "neighbour", "referral_source": "self", "summary": "Noise."},
        person=party(postcode="ct20 1aa", preferred_contact="phone"),
        hashed_ip="test",
    )

    assert district(case) == "CT20"


def test_adding_or_moving_a_party_keeps_the_district(coordinator):
    case = CaseFactory(postcode_district="")
    first = party_services.party_add(case=case, by=coordinator, fields=party(postcode="TN9 1AA"))
    assert district(case) == "TN9"

    second = party_services.party_add(
        case=case, by=coordinator, fields=party(full_name="Bob Dunn", postcode="ME14 1AA")
    )
    assert district(case) == "TN9"  # the first party's still

    party_services.party_update(party=first, by=coordinator, fields={"postcode": "TN10 2BB"})
    assert district(case) == "TN10"

    party_services.party_update(party=first, by=coordinator, fields={"postcode": ""})
    assert district(case) == "ME14"  # the next party with a postcode

    party_services.party_update(party=second, by=coordinator, fields={"postcode": ""})
    assert district(case) == ""


def test_erasing_a_party_takes_their_postcode_out_of_the_area(coordinator):
    case = CaseFactory(
        status="closed", outcome="full_agreement", closed_on=datetime.date(2026, 1, 5)
    )
    first = PartyFactory(case=case, postcode="TN9 1AA")
    PartyFactory(case=case, postcode="ME14 1AA", full_name="Bob Dunn")
    refresh_case_district(case)
    assert district(case) == "TN9"

    privacy_services.erase_party(party=first, by=coordinator)

    assert district(case) == "ME14"


def test_anonymising_a_case_at_the_end_of_retention_clears_its_district():
    case = CaseFactory(
        status="closed", outcome="full_agreement", closed_on=datetime.date(2015, 1, 5)
    )
    PartyFactory(case=case, postcode="TN9 1AA")
    refresh_case_district(case)
    assert district(case) == "TN9"

    assert privacy_services.anonymise_case(case=case, today=datetime.date(2026, 12, 1))

    assert district(case) == ""


def test_a_refresh_writes_only_when_the_district_changes():
    from django.apps import apps

    events = apps.get_model("cases", "CaseEvent").objects.filter(pgh_obj_id=OuterRef("pk"))
    case = CaseFactory(postcode_district="TN9")
    PartyFactory(case=case, postcode="TN9 1AA")
    before = events.model.objects.filter(pgh_obj_id=case.pk).count()

    assert refresh_case_district(case) == "TN9"
    assert events.model.objects.filter(pgh_obj_id=case.pk).count() == before  # no write

    PartyFactory(case=case, postcode="ME14 1AA")  # a later party: still TN9
    Case.objects.filter(pk=case.pk).update(postcode_district="")
    before = events.model.objects.filter(pgh_obj_id=case.pk).count()
    assert refresh_case_district(case) == "TN9"
    assert case.postcode_district == "TN9"
    assert events.model.objects.filter(pgh_obj_id=case.pk).count() == before + 1


def test_the_backfill_sets_every_cases_district_in_one_statement():
    migration = importlib.import_module(
        "reports.migrations.0002_kent_and_medway_and_case_districts"
    )
    wrong = CaseFactory(postcode_district="ZZ1")
    PartyFactory(case=wrong, postcode="", full_name="No postcode")
    PartyFactory(case=wrong, postcode="ME15 6AA")
    none = CaseFactory(postcode_district="ME14")  # no parties: no area

    events = apps.get_model("cases", "CaseEvent").objects
    before = events.count()

    migration.backfill(None, SimpleNamespace(connection=connection))

    assert (district(wrong), district(none)) == ("ME15", "")
    assert events.count() == before  # derived data, not a change anyone made: no history


def test_the_table_is_seeded_for_kent_and_medway():
    table = dict(PostcodeDistrict.objects.values_list("district", "local_authority"))

    assert table == KENT_AND_MEDWAY
    assert table["ME14"] == "Maidstone"
    assert table["ME4"] == "Medway"
    assert table["CT20"] == "Folkestone & Hythe"
    assert table["BR8"] == "Sevenoaks"
    assert "TN5" not in table  # Wadhurst: East Sussex
    assert set(table.values()) == {
        "Ashford",
        "Canterbury",
        "Dartford",
        "Dover",
        "Folkestone & Hythe",
        "Gravesham",
        "Maidstone",
        "Sevenoaks",
        "Swale",
        "Thanet",
        "Tonbridge & Malling",
        "Tunbridge Wells",
        "Medway",
    }


def test_an_administrator_edits_the_table_audited(administrator):
    from django.core.exceptions import ValidationError

    row = district_save(by=administrator, district=" rh19 ", local_authority="Mid Sussex")
    assert row.district == "RH19"
    district_save(by=administrator, district="RH19", local_authority="Tandridge", existing=row)
    assert PostcodeDistrict.objects.get(pk="RH19").local_authority == "Tandridge"
    with pytest.raises(ValidationError):
        district_save(by=administrator, district="ME14", local_authority="Elsewhere")
    with pytest.raises(ValidationError):
        district_save(by=administrator, district="not one", local_authority="Elsewhere")
    district_delete(by=administrator, row=PostcodeDistrict.objects.get(pk="RH19"))

    events = AuditEvent.objects.filter(object_type="reports.postcodedistrict")
    assert list(events.order_by("pk").values_list("action", flat=True)) == [
        "create",
        "change",
        "delete",
    ]
    assert PostcodeDistrict.objects.get(pk="ME14").local_authority == "Maidstone"


def test_the_admin_table_is_for_administrators_only(login, administrator, coordinator):
    page = login(administrator).get("/admin/reports/postcodedistrict/")
    assert page.status_code == 200 and "ME14" in page.content.decode()
    response = login(coordinator).get("/admin/reports/postcodedistrict/")
    assert response.status_code in (302, 403)
    assert "ME14" not in response.content.decode()
