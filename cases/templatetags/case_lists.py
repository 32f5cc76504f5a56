"""``{% load case_lists %}`` — a code of an editable list shown by its label (cases.lists), for a
template that has the code without its case (a referrer's "usually referred as", a report's
key): ``{{ referrer.kind|list_label:"referral_source" }}``. A case's own fields need nothing:
``case.get_referral_source_display`` (and the dispute type's and outcome's) already answer so."""

from django import template

from cases import lists

register = template.Library()


@register.filter
def list_label(code, name: str) -> str:
    if name not in lists.SEEDS:
        raise template.TemplateSyntaxError(f"list_label: no list called {name!r}")
    return lists.label(name, code)
