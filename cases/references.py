from django.db import connection

from .models import ReferenceCounter


def allocate_reference(year: int) -> str:
    """Take the next case reference for ``year``, like WKM-2026-0042. Call inside a transaction.

    One upsert both creates the year's counter and increments it; PostgreSQL's row lock on the
    counter makes concurrent submits queue for a moment rather than take the same number. A
    rolled-back intake gives its number back, so references are dense in practice but the
    service must tolerate gaps (for example after a case is erased).
    """
    table = ReferenceCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (year, last_number) VALUES (%s, 1)
            ON CONFLICT (year) DO UPDATE SET last_number = {table}.last_number + 1
            RETURNING last_number
            """,  # noqa: S608 - the table name is ours, the values are parameters
            [year],
        )
        (number,) = cursor.fetchone()
    return f"WKM-{year}-{number:04d}"
