"""``{{ table|bar_chart }}``: a report table's chart (reports.charts), drawn where the template
shows it — the table itself (reports.tables) knows nothing of drawing."""

from django import template

from reports import charts

register = template.Library()


@register.filter
def bar_chart(table) -> str:
    return charts.bar_chart(table) if table.chart and table.rows else ""
