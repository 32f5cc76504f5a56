"""wkm.views.submit_form: the views' "form → service → message → redirect", on its own."""

from django import forms
from django.contrib import messages
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from wkm.consequences import tell
from wkm.views import submit_form


class NoteForm(forms.Form):
    title = forms.CharField()
    body = forms.CharField(required=False)


class Saved:
    """What a service returns: something with a page of its own."""

    def __init__(self, title):
        self.title = title

    def get_absolute_url(self):
        return f"/notes/{self.title}/"


def _request(method="post", data=None):
    request = getattr(RequestFactory(), method)("/notes/new/", data or {})
    request._messages = CookieStorage(request)
    return request


def _said(request) -> list[tuple[int, str]]:
    return [(m.level, m.message) for m in get_messages(request)]


def _service(calls):
    def save(data):
        calls.append(data)
        return Saved(data["title"])

    return save


def test_it_calls_nothing_for_a_form_not_sent():
    request, calls = _request("get"), []
    done = submit_form(request, NoteForm(None), _service(calls), success="Saved.", then="/")
    assert done is None
    assert calls == []
    assert _said(request) == []


def test_it_calls_nothing_for_an_invalid_form_and_keeps_its_errors():
    request, calls = _request(data={"body": "typed"}), []
    form = NoteForm(request.POST)
    assert submit_form(request, form, _service(calls), success="Saved.", then="/") is None
    assert calls == []
    assert "title" in form.errors
    assert form["body"].value() == "typed"  # shown again with everything typed


def test_it_passes_the_cleaned_data_says_the_words_and_redirects():
    request, calls = _request(data={"title": " A "}), []
    done = submit_form(request, NoteForm(request.POST), _service(calls), success="Saved.", then="/")
    assert calls == [{"title": "A", "body": ""}]
    assert done.status_code == 302
    assert done.url == "/"
    assert _said(request) == [(messages.SUCCESS, "Saved.")]


def test_the_words_and_the_place_can_come_from_what_the_service_returned():
    request = _request(data={"title": "a"})
    done = submit_form(
        request,
        NoteForm(request.POST),
        _service([]),
        success=lambda note: f"Saved {note.title}.",
        then=lambda note: note,
    )
    assert done.url == "/notes/a/"
    assert _said(request) == [(messages.SUCCESS, "Saved a.")]


def test_it_redirects_to_a_model_a_url_name_or_a_path():
    for then, url in ((Saved("b"), "/notes/b/"), ("home", "/"), ("/cases/#files", "/cases/#files")):
        request = _request(data={"title": "a"})
        done = submit_form(request, NoteForm(request.POST), _service([]), success="ok", then=then)
        assert done.url == url


def test_the_message_can_be_a_warning():
    request = _request(data={"title": "a"})
    submit_form(
        request,
        NoteForm(request.POST),
        _service([]),
        success="Withdrawn.",
        then="/",
        level=messages.WARNING,
    )
    assert _said(request) == [(messages.WARNING, "Withdrawn.")]


def _refuse(error):
    def service(data):
        raise error

    return service


def test_a_refusal_naming_a_field_goes_next_to_it():
    request = _request(data={"title": "a", "body": "typed"})
    form = NoteForm(request.POST)
    refusal = ValidationError({"title": "Taken.", "elsewhere": "Not now."})
    assert submit_form(request, form, _refuse(refusal), success="Saved.", then="/") is None
    assert form.errors["title"] == ["Taken."]
    assert form.non_field_errors() == ["Not now."]  # a field the form has not: at the top
    assert form["body"].value() == "typed"
    assert _said(request) == []


def test_a_refusal_of_the_whole_change_goes_at_the_top():
    request = _request(data={"title": "a"})
    form = NoteForm(request.POST)
    refused = _refuse(ValidationError("The case is closed."))
    assert submit_form(request, form, refused, success="Saved.", then="/") is None
    assert form.non_field_errors() == ["The case is closed."]
    assert _said(request) == []


def _telling(data):
    tell("Cancelled 2 reminders.")
    return Saved(data["title"])


def test_with_consequences_what_else_the_change_did_follows_the_message():
    request = _request(data={"title": "a"})
    submit_form(
        request, NoteForm(request.POST), _telling, success="Saved.", then="/", consequences=True
    )
    assert _said(request) == [
        (messages.SUCCESS, "Saved."),
        (messages.INFO, "Cancelled 2 reminders."),
    ]


def test_without_consequences_nothing_else_is_said():
    request = _request(data={"title": "a"})
    submit_form(request, NoteForm(request.POST), _telling, success="Saved.", then="/")
    assert _said(request) == [(messages.SUCCESS, "Saved.")]


def test_a_refused_change_says_none_of_its_consequences():
    def tells_then_refuses(data):
        tell("Cancelled 2 reminders.")
        raise ValidationError("Not now.")

    request = _request(data={"title": "a"})
    form = NoteForm(request.POST)
    done = submit_form(
        request, form, tells_then_refuses, success="Saved.", then="/", consequences=True
    )
    assert done is None
    assert _said(request) == []
    assert form.non_field_errors() == ["Not now."]
