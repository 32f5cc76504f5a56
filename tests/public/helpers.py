"""Form data for the public forms' tests, with a signed start time far enough in the past."""

import time

from public import spam


def referral_data(**overrides) -> dict:
    data = {
        "form_started": spam.issue_token("referral", at=time.time() - 60),
        "website": "",
        "who": "self",
        "dispute_type": "neighbour",
        "summary": "Music from next door most nights until 2am; we have asked twice.",
        "other_people": "Mr Lee at number 14",
        "person-full_name": "Alice Carter",
        "person-preferred_contact": "phone",
        "person-phone": "01732 123456",
        "person-address_line1": "12 Quarry Hill Road",
        "person-town": "Tonbridge",
        "person-postcode": "tn91aa",
        "person-preferred_times": "Weekday mornings",
        "consent_contact": "on",
        "consent_data": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def application_data(**overrides) -> dict:
    data = {
        "form_started": spam.issue_token("volunteer", at=time.time() - 60),
        "website": "",
        "first_name": "Priya",
        "last_name": "Shah",
        "email": "priya@example.org",
        "phone": "07911 123456",
        "postcode": "me14 2lp",
        "languages": "English, Gujarati",
        "slots": ["0-evening", "5-morning"],
        "why": "I run a residents' group and want to help neighbours talk.",
        "experience": "Ten years on a helpline.",
        "consent_data": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
