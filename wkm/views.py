"""What the apps' views share."""

from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect

from .consequences import shown_to
from .forms import add_service_errors


def submit_form(
    request,
    form,
    call: Callable[[dict], Any],
    *,
    success: str | Callable[[Any], str],
    then: Any,
    level: int = messages.SUCCESS,
    consequences: bool = False,
) -> HttpResponseRedirect | None:
    """A form's submission passed to a service: the views' "form → service → message →
    redirect", written once.

    When ``form`` is bound and valid, ``call(form.cleaned_data)`` makes the change (a service).
    If it succeeds, ``success`` (the words, or a function of what ``call`` returned that gives
    them) is shown as a message of ``level`` and the answer is a redirect to ``then`` (whatever
    django's ``redirect`` takes, a model or a URL, or a function of what ``call`` returned that
    gives one). With ``consequences``, what else the change did (``wkm.consequences.tell``) is
    shown after that message.

    Otherwise the answer is None, for the view to show the form again with everything typed: an
    invalid form has its errors already, and a service's refusal (django's ValidationError) is
    put on it by ``add_service_errors`` (next to the field it names, else at the top)."""
    if not form.is_valid():
        return None
    try:
        with shown_to(request) if consequences else nullcontext():
            result = call(form.cleaned_data)
            messages.add_message(request, level, success(result) if callable(success) else success)
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    return redirect(then(result) if callable(then) else then)
