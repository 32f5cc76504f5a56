"""Rule 12: the pages that show personal data found by the attack of issue 17 without an audit
event now write one on each view: the party edit form, a search of the case list, and a case's
agreements. A search is recorded by its filters, never by what it found."""

import pytest

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def views_of(reference=""):
    events = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW)
    return events.filter(case_reference=reference) if reference else events


def test_it_audits_each_view_of_a_partys_edit_form(login, coordinator, case):
    party = case.parties.get(full_name="Alice Carter")
    client = login(coordinator)
    url = f"/cases/{case.reference}/parties/{party.pk}/edit/"

    for _ in range(2):
        assert client.get(url).status_code == 200

    events = list(views_of(case.reference))
    assert len(events) == 2
    event = events[0]
    assert (event.actor, event.object_type, event.object_id) == (
        coordinator,
        "parties.party",
        str(party.pk),
    )
    assert event.detail == {"page": "edit"}
    assert "Alice Carter" not in event.object_repr


def test_it_audits_each_view_of_a_cases_agreements(login, coordinator, case):
    client = login(coordinator)

    assert client.get(f"/cases/{case.reference}/agreements/").status_code == 200

    event = views_of(case.reference).get()
    assert (event.actor, event.object_repr) == (coordinator, "Agreements (list)")
    # It appears on the case's own audit page.
    assert "Agreements (list)" in client.get(f"/cases/{case.reference}/audit/").content.decode()


def test_a_search_of_the_case_list_is_audited_by_its_filters_not_its_results(
    login, coordinator, case
):
    client = login(coordinator)

    html = client.get(
        "/cases/", {"q": "Carter", "status": "referred", "order": "-received", "page": "1"}
    ).content.decode()

    assert case.reference in html  # the search found the case
    event = views_of().get()
    assert (event.actor, event.object_repr) == (coordinator, "Case list (search)")
    # The filters applied, the search text only marked as given (it may be a person's name);
    # not the page number, and nothing of what was found.
    assert event.detail == {
        "search": "case_list",
        "filters": {"q": "(search text given)", "status": "referred", "order": "-received"},
    }
    assert event.case_reference == ""
    recorded = str(AuditEvent.objects.filter(pk=event.pk).values().get())
    for found in (case.reference, "Carter", "Alice", "Bob Dunn"):
        assert found not in recorded


def test_a_filter_alone_is_a_search_too(login, coordinator, case):
    login(coordinator).get("/cases/", {"dispute_type": "neighbour", "q": ""})

    assert views_of().get().detail["filters"] == {"dispute_type": "neighbour"}


@pytest.mark.parametrize(
    "query", [{}, {"order": "reference"}, {"page": "1"}, {"q": "", "status": ""}]
)
def test_the_plain_list_sorted_or_paged_is_not_a_search(login, coordinator, case, query):
    assert login(coordinator).get("/cases/", query).status_code == 200

    assert not views_of().exists()
