"""Filters for the wording of pages and documents, available in every template (a builtin,
settings.TEMPLATES)."""

from django import template

register = template.Library()


@register.filter
def continues_sentence(text: str) -> str:
    """A term typed as a sentence ("Turn music down after 11pm.") read on after "Daniel will",
    before the page's own full stop: the first word loses its capital — unless it is "I", an
    acronym ("BBC") or a name spelt with capitals inside ("McDonald") — and a final full stop
    goes; the rest is kept exactly as typed."""
    text = text.strip()
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1]
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[0].isupper() and first[1:] == first[1:].lower():
        return text[0].lower() + text[1:]
    return text
