from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from .request_limits import LONG_TEXT_MAX_CHARS


class TextLimits:
    """A form mixin: every text box without a length of its own takes at most
    LONG_TEXT_MAX_CHARS characters, said to the browser (maxlength) and checked on the server,
    so that nobody types or pastes past the request size limit and loses the lot."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and field.max_length is None:
                field.max_length = LONG_TEXT_MAX_CHARS
                field.validators.append(MaxLengthValidator(LONG_TEXT_MAX_CHARS))
                field.widget.attrs.setdefault("maxlength", str(LONG_TEXT_MAX_CHARS))


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to its field when it names one the
    form has, otherwise at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def style_filter_widgets(form) -> None:
    """Give a filter form's widgets Bootstrap's classes, for includes/filter_field.html."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
