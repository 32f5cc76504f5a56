from django import template

from parties.validators import display_phone

register = template.Library()


@register.filter
def css_string(value) -> str:
    """Make text safe inside a double-quoted CSS string (for running headers and footers).

    Everything but letters, digits and a little punctuation becomes a CSS escape, "&" and "'"
    included: the template's HTML escaping would otherwise turn them into "&amp;" and "&#x27;",
    which a <style> element does not decode, and the header printed them so."""
    out = []
    for char in str(value):
        if char.isalnum() or char in " -.,()/":
            out.append(char)
        else:
            out.append(f"\\{ord(char):06x}")
    return "".join(out)


@register.filter
def phone(value) -> str:
    """A phone number as people write it: '+441732123456' -> '01732 123456' (numbers abroad in
    their international form; text that is not a number, as it is)."""
    return display_phone(value or "")
