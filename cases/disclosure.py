"""Rule 10 of DESIGN.md: what may be shown to whom, between the parties of a case.

Everything addressed to a party — letters, agreements, reminders — asks this module what it may
contain. Staff working on the case (the audience ``None``) see everything, but anything whose
audience is a party never carries another party's contact details unless that party consented to
share them (and every party has consented to mediation, rule 7), and never carries another
party's private notes or anyone's drafts.
"""

from django.db.models import Q

from parties.consent import consent_state, current_kinds
from parties.models import Consent, Party

from .models import ContactLogEntry


def may_share_contact_details(party: Party, *, audience: Party | None) -> bool:
    """May ``audience`` (a party, or None for staff) see ``party``'s contact details?"""
    if audience is None or audience.pk == party.pk:
        return True
    if Consent.Kind.SHARE_DETAILS not in current_kinds(party):
        return False
    return consent_state(party.case).all_consented


def contact_details_for(party: Party, *, audience: Party | None) -> dict[str, str]:
    """``party``'s contact details as ``audience`` may see them: all of them, or none. Which
    fields are contact details is declared on the model (``Party.personal_data.contact``)."""
    if not may_share_contact_details(party, audience=audience):
        return {}
    return {
        name: getattr(party, name) for name in Party.personal_data.contact if getattr(party, name)
    }


def log_entries_for(case, *, audience: Party | None, viewer=None):
    """The timeline entries that may be shown to ``audience``.

    For staff (audience None): everything except other people's drafts (``viewer`` sees their
    own). For a party: published entries that are not private to another party.
    """
    entries = case.log_entries.select_related("author", "party", "private_to")
    if audience is None:
        own_drafts = Q(is_draft=True, author=viewer) if viewer is not None else Q(pk__in=[])
        return entries.filter(Q(is_draft=False) | own_drafts)
    # The services' updates about another party (their consent, a withdrawal and its note) are
    # theirs: a party sees only those about themselves.
    about_someone_else = Q(kind=ContactLogEntry.Kind.EVENT) & ~Q(party=audience)
    return entries.filter(
        Q(private_to__isnull=True) | Q(private_to=audience), is_draft=False
    ).exclude(about_someone_else)
