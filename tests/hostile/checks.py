"""What every form page must do with whatever it is sent: never a 500; either save and redirect,
or show the form again with a clear message for each problem and nothing saved half-way."""

from django import forms
from django.conf import settings
from django.contrib.admin.helpers import AdminForm
from django.db.models import QuerySet
from django.utils.html import escape
from hypothesis import currently_in_test_context, event


def counts(counted) -> dict:
    """Rows of each model, or queryset, in ``counted``."""
    querysets = [rows if isinstance(rows, QuerySet) else rows.objects.all() for rows in counted]
    return {queryset.model._meta.label: queryset.count() for queryset in querysets}


def field_bytes(data: dict) -> int:
    """What Django counts against DATA_UPLOAD_MAX_MEMORY_SIZE for a multipart POST of ``data``
    (the test client's default encoding): each field's name plus two, and its value's bytes."""
    total = 0
    for name, value in data.items():
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            total += len(name) + 2 + len(str(item).encode())
    return total


def _context_values(response):
    context = response.context
    if context is None:
        return []
    contexts = context if isinstance(context, list) else [context]
    values = []
    for item in contexts:
        values.extend(item.flatten().values())
    return values


def form_errors(response) -> list[str]:
    """Every error message of every form and formset the page was rendered with."""
    messages = []
    seen = set()
    for value in _context_values(response):
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, AdminForm):  # the Django admin's wrapper of its form
            value = value.form
        if isinstance(value, forms.BaseForm):
            for errors in value.errors.values():
                messages.extend(errors)
        elif isinstance(value, forms.BaseFormSet):
            messages.extend(value.non_form_errors())
            for errors in value.errors:
                for field_errors in errors.values():
                    messages.extend(field_errors)
    return messages


def assert_refused_clearly(response) -> list[str]:
    """The page came back with the form, and every problem is spelled out on it."""
    messages = form_errors(response)
    assert messages, "the form came back with no message saying what was wrong"
    html = response.content.decode()
    for message in messages:
        assert escape(message) in html, f"error not shown on the page: {message!r}"
    return messages


def submit(client, url, data, *, counted, saved=1, follow_success=True):
    """POST ``data`` to ``url`` and check the outcome; return the response.

    - over DATA_UPLOAD_MAX_MEMORY_SIZE: a 413 that says so in words, nothing saved;
    - a redirect: saved, and each model in ``counted`` gained at most ``saved`` rows (a number,
      or {model label: number}), and the page it redirects to shows without error;
    - otherwise: 200 with the form and its messages, and no row added anywhere in ``counted``.
    """
    # A browser always sends the CSRF token, so a real POST is never empty (the views treat an
    # empty POST as a first visit). The test client does not check it.
    data = {"csrfmiddlewaretoken": "x" * 64, **data}
    before = counts(counted)
    response = client.post(url, data)
    after = counts(counted)
    if currently_in_test_context():
        event(f"answered {response.status_code}")  # see --hypothesis-show-statistics
    if field_bytes(data) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        assert response.status_code == 413, response.status_code
        assert after == before
        return response
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        for label, number in after.items():
            most = saved.get(label, 1) if isinstance(saved, dict) else saved
            assert before[label] <= number <= before[label] + most, (label, before, after)
        if follow_success:
            assert client.get(response.url).status_code == 200
    else:
        assert_refused_clearly(response)
        assert after == before, f"saved half-way: {before} -> {after}"
    return response
