"""referrers 0002: the organisations and people typed on cases become records, and the cases
point at them, in set-based SQL; going back unlinks, and forward again makes no second copy.

Transactional (migrations cannot run inside the test's transaction) and marked ``migrations``
(run alone with ``-m migrations``); the database is left migrated to the latest state."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cases.models import Case
from referrers.models import Referrer, ReferrerContact

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.migrations]

BEFORE = [("referrers", "0001_initial")]


def migrate(targets):
    state = MigrationExecutor(connection).migrate(targets)
    ContentType.objects.clear_cache()
    return state.apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def typed(old, org, name="", contact="", *, days=0, source="housing"):
    """A case as the schema before the backfill had it: the historical model, not the factory,
    whose model is today's (a column added by a later cases migration is not there yet)."""
    model = old.get_model("cases", "Case")
    number = model.objects.count() + 1
    return model.objects.create(
        reference=f"WKM-2026-{number:04d}",
        dispute_type="neighbour",
        summary="Noise",
        referrer_organisation=org,
        referrer_name=name,
        referrer_contact=contact,
        referral_source=source,
        received_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=days),
    ).pk


def test_the_typed_referrers_become_records_and_back_again():
    try:
        old = migrate(BEFORE)
        clarion = old.get_model("referrers", "Referrer").objects.create(name="CLARION")
        cases = {
            "tch1": typed(old, "Town and Country Housing", "Pat Jones", "pat@old.example.org"),
            "tch2": typed(
                old, " town  and country housing ", "pat  JONES ", "pat@tch.example.org", days=5
            ),
            "tch3": typed(old, "Town and Country Housing", "Sam Lee", "01732 123456", days=2),
            "tch4": typed(
                old, "Town and Country Housing", "ASB team", "ring the office", source="self"
            ),
            "police": typed(old, "Kent Police", "", "", source="police"),
            "clarion": typed(old, "Clarion", "Jo Bloggs", "jo@clarion"),
            "none": typed(old, "", "Someone", "someone@example.org", source="self"),
        }

        migrate(latest())

        def case(key):
            return Case.objects.select_related("referrer", "referrer_person").get(pk=cases[key])

        names = sorted(Referrer.objects.values_list("name", flat=True))
        assert names == ["CLARION", "Kent Police", "Town and Country Housing"]
        tch = Referrer.objects.get(name="Town and Country Housing")
        assert tch.kind == "housing" and Referrer.objects.get(name="Kent Police").kind == "police"
        assert {case(k).referrer for k in ("tch1", "tch2", "tch3", "tch4")} == {tch}
        assert case("clarion").referrer.pk == clarion.pk
        assert case("police").referrer_person is None and case("none").referrer is None
        pat = case("tch1").referrer_person
        assert case("tch2").referrer_person == pat
        # The spelling most cases used, and the email address typed last.
        assert (pat.name, pat.email, pat.phone) in {
            ("Pat Jones", "pat@tch.example.org", ""),
            ("pat JONES", "pat@tch.example.org", ""),
        }
        sam = case("tch3").referrer_person
        assert (sam.name, sam.email, sam.phone) == ("Sam Lee", "", "+441732123456")
        team = case("tch4").referrer_person
        assert (team.name, team.email, team.phone) == ("ASB team", "", "")
        jo = case("clarion").referrer_person
        assert jo.email == ""  # "jo@clarion" is not an address
        assert ReferrerContact.objects.count() == 4
        # The typed words are left as they were.
        assert case("tch2").referrer_organisation == " town  and country housing "

        migrate(BEFORE)
        assert not Case.objects.filter(referrer__isnull=False).exists()
        assert not Case.objects.filter(referrer_person__isnull=False).exists()

        migrate(latest())
        assert Referrer.objects.count() == 3 and ReferrerContact.objects.count() == 4
        assert case("tch2").referrer_person == pat
    finally:
        migrate(latest())
