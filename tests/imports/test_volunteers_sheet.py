"""The volunteers sheet: every column through volunteers.services, as typed on the pages."""

import datetime

import pytest
from django.utils import timezone

from imports.volunteers_sheet import EVIDENCE_DEFAULT
from tests.imports.sheets import as_csv, volunteer_row
from volunteers.models import Accreditation, DBSCheck, TrainingRecord, Volunteer

pytestmark = pytest.mark.django_db


def problems(batch):
    return {(p["row"], p["column"]): p["message"] for p in batch.problems}


def test_an_accredited_mediator_comes_in_as_one_recorded_by_hand(
    check, do_import, admin_coordinator
):
    row = volunteer_row(
        1,
        status="Mediator",
        community_accredited="10/09/2025",
        accreditation_evidence="Three cases signed off in 2025 (old system)",
    )
    do_import(check(as_csv([row]), by=admin_coordinator))

    volunteer = Volunteer.objects.get()
    assert volunteer.status == "mediator"
    accreditation = Accreditation.objects.get()
    assert (accreditation.kind, accreditation.granted_on) == (
        "community",
        datetime.date(2025, 9, 10),
    )
    assert accreditation.prior_evidence == "Three cases signed off in 2025 (old system)"
    assert accreditation.granted_by == admin_coordinator


def test_the_evidence_defaults_to_the_old_system(check, do_import, admin_coordinator):
    do_import(
        check(as_csv([volunteer_row(1, community_accredited="2025-09-10")]), by=admin_coordinator)
    )
    assert Accreditation.objects.get().prior_evidence == EVIDENCE_DEFAULT


def test_an_administrator_alone_cannot_record_accreditations(check):
    batch = check(as_csv([volunteer_row(1, status="mediator", community_accredited="10/09/2025")]))
    assert problems(batch) == {
        (
            2,
            "community_accredited",
        ): "Only a supervisor or a coordinator can grant an accreditation."
    }


def test_mediator_without_community_accreditation_is_refused_as_on_the_pages(
    check, admin_coordinator
):
    batch = check(as_csv([volunteer_row(1, status="mediator")]), by=admin_coordinator)
    assert list(problems(batch)) == [(2, "status")]


def test_specialist_accreditation_needs_its_training(check, do_import, admin_coordinator):
    without = volunteer_row(
        1, community_accredited="01/01/2025", parent_teen_accredited="01/06/2025"
    )
    with_training = volunteer_row(
        2,
        community_accredited="01/01/2025",
        parent_teen_training_hours="12",
        parent_teen_training_completed="01/05/2025",
        parent_teen_accredited="01/06/2025",
    )
    checked = check(as_csv([without, with_training]), by=admin_coordinator)
    found = problems(checked)
    do_import(checked, mode="valid")

    assert list(found) == [(2, "parent_teen_accredited")]
    assert "no completed parent/teen mediation training" in found[(2, "parent_teen_accredited")]
    volunteer = Volunteer.objects.get()
    assert set(volunteer.accreditations.values_list("kind", flat=True)) == {
        "community",
        "parent_teen",
    }
    assert TrainingRecord.objects.filter(volunteer=volunteer, course="parent_teen").exists()


def test_dbs_rules_apply_as_to_typed_data(check, do_import):
    checked = (timezone.localdate() - datetime.timedelta(days=10)).strftime("%d/%m/%Y")
    basic = volunteer_row(1, dbs_enhanced="N")
    status_without_service = volunteer_row(2, dbs_last_status_check=checked)
    on_service = volunteer_row(3, dbs_update_service="TRUE", dbs_last_status_check=checked)
    checked = check(as_csv([basic, status_without_service, on_service]))
    do_import(checked, mode="valid")

    assert problems(checked) == {
        (
            3,
            "dbs_last_status_check",
        ): "A status check needs the certificate to be on the Update Service."
    }
    assert DBSCheck.objects.get(volunteer__external_id="V-00001").current_until is None
    assert DBSCheck.objects.get(volunteer__external_id="V-00003").update_service is True


def test_cells_that_cannot_be_read_are_named_all_at_once(check):
    row = volunteer_row(1, dbs_enhanced="perhaps", training_hours="forty", status="retired")
    batch = check(as_csv([row]))
    assert set(problems(batch)) == {(2, "dbs_enhanced"), (2, "training_hours"), (2, "status")}
    assert problems(batch)[(2, "dbs_enhanced")] == "“perhaps” is not yes or no: write yes or no."


def test_a_volunteer_without_dbs_or_training_is_just_a_record(check, do_import):
    row = {"volunteer_id": "X1", "first_name": "Ann", "last_name": "Lee"}
    batch = do_import(check(as_csv([row], columns=["volunteer_id", "first_name", "last_name"])))
    volunteer = Volunteer.objects.get()
    assert batch.imported == 1 and volunteer.status == "applicant"
    assert not volunteer.dbs_checks.exists() and not volunteer.training.exists()


def test_a_too_long_id_is_named_in_its_column(check):
    batch = check(as_csv([volunteer_row(1, volunteer_id="V" * 65)]))
    assert list(problems(batch)) == [(2, "volunteer_id")]


def test_a_cell_longer_than_any_form_takes_is_a_problem(check):
    """Typed, a box takes at most LONG_TEXT_MAX_CHARS (wkm.forms); imported, a 100,000-character
    note went in, and the volunteer's edit form then refused every save until it was cut."""
    from wkm.request_limits import LONG_TEXT_MAX_CHARS

    batch = check(as_csv([volunteer_row(1, notes="N" * (LONG_TEXT_MAX_CHARS + 1))]))
    assert problems(batch) == {
        (2, "notes"): f"Ensure this value has at most {LONG_TEXT_MAX_CHARS} characters "
        f"(it has {LONG_TEXT_MAX_CHARS + 1})."
    }
    assert batch.valid == 0


def test_a_cell_longer_than_its_field_is_a_problem_in_the_forms_words(check):
    batch = check(as_csv([volunteer_row(1, first_name="S" * 101)]))
    assert problems(batch) == {
        (2, "first_name"): "Ensure this value has at most 100 characters (it has 101)."
    }
