from django import template

register = template.Library()


@register.filter
def css_string(value) -> str:
    """Make text safe inside a double-quoted CSS string (for running headers and footers)."""
    out = []
    for char in str(value):
        if char.isalnum() or char in " -.,'&()/":
            out.append(char)
        else:
            out.append(f"\\{ord(char):06x}")
    return "".join(out)
