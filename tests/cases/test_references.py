"""Case references: WKM-<year>-<number>, unique under concurrent intake."""

import threading

import pytest
from django.db import connection, transaction

from cases.models import Case
from cases.references import allocate_reference


@pytest.mark.django_db
def test_it_numbers_each_year_from_one_with_four_digits():
    assert allocate_reference(2026) == "WKM-2026-0001"
    assert allocate_reference(2026) == "WKM-2026-0002"
    assert allocate_reference(2027) == "WKM-2027-0001"


@pytest.mark.django_db
def test_it_gives_a_rolled_back_number_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        allocate_reference(2026)
        raise RuntimeError("intake failed")

    assert allocate_reference(2026) == "WKM-2026-0001"


@pytest.mark.django_db(transaction=True)
def test_it_allocates_distinct_references_to_parallel_transactions():
    """Eight threads, each with its own connection and transaction, take references at once."""
    barrier = threading.Barrier(8)
    taken, errors = [], []

    def intake():
        try:
            barrier.wait(timeout=10)
            for _ in range(5):
                with transaction.atomic():
                    taken.append(allocate_reference(2026))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=intake) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    assert len(taken) == 40
    assert len(set(taken)) == 40
    assert sorted(taken) == [f"WKM-2026-{n:04d}" for n in range(1, 41)]


@pytest.mark.django_db(transaction=True)
def test_it_creates_parallel_cases_through_the_service_without_clashes(coordinator):
    from cases.services import case_create

    barrier = threading.Barrier(6)
    errors = []

    def submit(n):
        try:
            barrier.wait(timeout=10)
            case_create(
                by=coordinator,
                fields={
                    "dispute_type": "neighbour",
                    "referral_source": "self",
                    "received_on": __import__("datetime").date(2026, 11, 20),
                    "summary": f"Parallel referral {n}",
                },
                parties=[
                    {
                        "full_name": f"Person {n}",
                        "role": "first_party",
                        "preferred_contact": "letter",
                        "postcode": "TN9 1AA",
                    }
                ],
            )
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    references = list(Case.objects.values_list("reference", flat=True))
    assert len(references) == 6 == len(set(references))
