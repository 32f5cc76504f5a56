"""Consent in one step: every kind a party gives in one submit, only the kinds still missing
offered, all or nothing."""

import pytest
from django.utils import timezone

from parties.models import Consent
from tests.factories import ConsentFactory, PartyFactory

pytestmark = pytest.mark.django_db

NOW = timezone.localtime().replace(second=0, microsecond=0)


@pytest.fixture
def party(case):
    """The root ``case``'s first party."""
    return case.parties.first()


def url(party):
    return f"/cases/{party.case.reference}/parties/{party.pk}/consent/"


def test_it_records_every_kind_ticked_in_one_submit(login, coordinator, party):
    response = login(coordinator).post(
        url(party),
        {
            "kinds": ["mediate", "share_details", "data_processing"],
            "method": "written",
            "given_at": f"{NOW:%Y-%m-%dT%H:%M}",
            "notes": "Signed form returned by post",
        },
    )

    assert response.status_code == 302
    recorded = Consent.objects.filter(party=party)
    assert sorted(recorded.values_list("kind", flat=True)) == [
        "data_processing",
        "mediate",
        "share_details",
    ]
    assert {(c.method, c.notes, c.recorded_by) for c in recorded} == {
        ("written", "Signed form returned by post", coordinator)
    }


def test_it_offers_only_the_kinds_not_held(login, coordinator, party):
    ConsentFactory(party=party, kind="mediate")

    html = login(coordinator).get(url(party)).content.decode()

    assert 'value="mediate"' not in html
    assert 'value="share_details"' in html and 'value="data_processing"' in html
    assert 'for="id_kinds_0"' in html  # each box labelled


def test_a_party_with_every_consent_is_told_so(login, coordinator, party):
    for kind in Consent.Kind.values:
        ConsentFactory(party=party, kind=kind)

    html = login(coordinator).get(url(party)).content.decode()

    assert "has given every consent" in html and '<form method="post" novalidate>' not in html


def test_a_mistake_keeps_every_box_ticked_and_records_nothing(login, coordinator, party):
    response = login(coordinator).post(
        url(party), {"kinds": ["mediate", "data_processing"], "given_at": "not a time"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert not Consent.objects.filter(party=party).exists()
    assert html.count("checked") == 2
    assert "Say whether they gave it verbally or in writing." in html
    assert 'href="#id_given_at"' in html  # the summary links to the field


def test_nothing_ticked_is_a_clear_error(login, coordinator, party):
    html = (
        login(coordinator)
        .post(url(party), {"method": "verbal", "given_at": f"{NOW:%Y-%m-%dT%H:%M}"})
        .content.decode()
    )

    assert "Tick at least one consent they have given." in html


def test_a_kind_already_held_is_refused_and_none_recorded(login, coordinator, party):
    other = PartyFactory(case=party.case)
    ConsentFactory(party=party, kind="mediate")

    login(coordinator).post(
        url(party),
        {"kinds": ["mediate", "share_details"], "method": "verbal",
         "given_at": f"{NOW:%Y-%m-%dT%H:%M}"},
    )  # fmt: skip

    assert list(party.consents.values_list("kind", flat=True)) == ["mediate"]
    assert not other.consents.exists()


def test_the_case_page_offers_consent_only_for_a_party_still_missing_some(
    login, coordinator, case, party
):
    for kind in Consent.Kind.values:
        ConsentFactory(party=party, kind=kind)
    other = case.parties.exclude(pk=party.pk).get()

    html = login(coordinator).get(case.get_absolute_url()).content.decode()

    assert f'Record consent<span class="visually-hidden"> for {party.full_name}' not in html
    assert f'Record consent<span class="visually-hidden"> for {other.full_name}' in html
