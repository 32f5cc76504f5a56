"""What the form fuzzing modules and test_admin_forms.py share: names as people type them, a
party's fields valid and hostile, the volunteer form."""

from hypothesis import strategies as st

from .strategies import checkbox, form_data, hostile_choice, hostile_number, hostile_text, odd_text


def named(text_strategy=None):
    """A required text field's value: never blank, otherwise anything a form should accept."""
    return st.builds(lambda text: f"A {text}", text_strategy or odd_text())


def party_valid(prefix: str = "") -> dict:
    p = prefix
    return {
        f"{p}full_name": named(),
        f"{p}role": st.sampled_from(["first_party", "other_party", "supporter"]),
        f"{p}address_line1": odd_text(),
        f"{p}town": odd_text(),
        f"{p}postcode": st.sampled_from(["TN9 1AA", "tn91aa", " me14 5Lx "]),
        f"{p}phone": st.sampled_from(["", "01732 123456", "+44 7911 123456"]),
        f"{p}email": st.sampled_from(["", "alice@example.org"]),
        f"{p}preferred_contact": "letter",
        f"{p}preferred_times": odd_text(),
        f"{p}contact_restrictions": odd_text(),
        f"{p}accessibility_needs": odd_text(),
        f"{p}safeguarding_notes": odd_text(),
        f"{p}interpreter_needed": checkbox,
    }


def party_hostile(prefix: str = "") -> dict:
    p = prefix
    return {
        f"{p}full_name": hostile_text(),
        f"{p}role": hostile_choice("first_party", "other_party", "supporter"),
        f"{p}address_line1": hostile_text(),
        f"{p}address_line2": hostile_text(),
        f"{p}town": hostile_text(),
        f"{p}postcode": hostile_text(12),
        f"{p}phone": st.one_of(hostile_text(20), hostile_number()),
        f"{p}email": hostile_text(),
        f"{p}preferred_contact": hostile_choice("phone", "sms", "email", "letter"),
        f"{p}preferred_times": hostile_text(),
        f"{p}contact_restrictions": hostile_text(),
        f"{p}no_text_messages": checkbox,
        f"{p}no_email": checkbox,
        f"{p}language": hostile_text(),
        f"{p}interpreter_needed": checkbox,
        f"{p}accessibility_needs": hostile_text(),
        f"{p}under_18": checkbox,
        f"{p}guardian_name": hostile_text(),
        f"{p}guardian_contact": hostile_text(),
        f"{p}safeguarding_notes": hostile_text(),
        f"{p}age_band": hostile_choice("", "25_44", "not_said"),
        f"{p}gender": hostile_choice("", "woman", "not_said"),
        f"{p}ethnicity": hostile_choice("", "white", "not_said"),
        f"{p}disability": hostile_choice("", "no", "not_said"),
    }


VALID_PARTY = {
    "full_name": "Alice Carter",
    "role": "first_party",
    "postcode": "TN9 1AA",
    "preferred_contact": "letter",
}


def volunteer_form(free_user):
    return form_data(
        valid={
            "first_name": named(),
            "last_name": named(),
            "email": st.sampled_from(["", "grace@example.org"]),
            "phone": st.sampled_from(["", "07911 123456"]),
            "address": odd_text(),
            "postcode": st.sampled_from(["", "TN4 9LH", "tn49lh"]),
            "languages": odd_text(),
            "status": st.sampled_from(["applicant", "mediator", "trainee"]),
            "user": st.sampled_from(["", str(free_user.pk)]),
            "notes": odd_text(),
        },
        hostile={
            "first_name": hostile_text(),
            "last_name": hostile_text(),
            "email": hostile_text(),
            "phone": st.one_of(hostile_text(20), hostile_number()),
            "address": hostile_text(),
            "postcode": hostile_text(12),
            "languages": hostile_text(),
            "status": hostile_choice("applicant", "mediator", "trainee"),
            "supervisor": st.one_of(hostile_number(), hostile_text(8)),
            "user": st.one_of(hostile_number(), hostile_text(8)),
            "notes": hostile_text(),
        },
    )
