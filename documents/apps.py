from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """PDF documents (agreements, letters) rendered with WeasyPrint, stored with their SHA-256."""

    name = "documents"
    verbose_name = "Documents"
