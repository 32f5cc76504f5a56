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


@register.simple_tag
def mediated_outcome_labels() -> str:
    """“Full agreement”, “Partial agreement”, … and “Improved communication”: the outcomes that
    need mediation (cases.lifecycle.MEDIATED_OUTCOMES), by their labels, in the list's order."""
    from cases.lifecycle import MEDIATED_OUTCOMES

    names = [
        f"“{label}”" for code, label in lists.choices(lists.OUTCOME) if code in MEDIATED_OUTCOMES
    ]
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)
