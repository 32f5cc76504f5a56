"""``{% error_summary form formset … %}``: every problem on a page, at its top, each linking to
its field — so an error far down a long form (Party 2's phone) is seen at once, and reached in
one click (static/js/error-summary.js also moves the focus to the first field in error).

Loaded with ``{% load wkm_forms %}`` (registered in settings.TEMPLATES).
"""

from django import forms, template

register = template.Library()


def _problems(form, label: str = ""):
    prefix = f"{label}: " if label else ""
    for error in form.non_field_errors():
        yield {"text": f"{prefix}{error}", "anchor": ""}
    for field in form:
        for error in field.errors:
            name = field.label or field.name
            yield {"text": f"{prefix}{name} — {error}", "anchor": field.id_for_label}


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms_on_page, intro: str = "", heading: str = ""):
    """The problems of ``forms_on_page`` (forms and formsets; None is skipped), in page order.
    A formset's forms are named by its ``summary_label`` and number ("Party 2")."""
    problems = []
    for item in forms_on_page:
        if isinstance(item, forms.BaseFormSet):
            if not item.is_bound:
                continue
            for error in item.non_form_errors():
                problems.append({"text": str(error), "anchor": ""})
            label = getattr(item, "summary_label", "Item")
            for number, form in enumerate(item.forms, start=1):
                problems.extend(_problems(form, f"{label} {number}"))
        elif isinstance(item, forms.BaseForm) and item.is_bound:
            problems.extend(_problems(item))
    return {"problems": problems, "intro": intro, "heading": heading}
