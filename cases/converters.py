"""``<ref:reference>`` in a URL: a case's reference (WKM-2026-0042). Registered on import, by
every URLconf that puts a case's reference in its addresses (cases, volunteers' pairing)."""

from django.urls import register_converter


class ReferenceConverter:
    regex = r"WKM-[0-9]{4}-[0-9]{4,}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ReferenceConverter, "ref")
