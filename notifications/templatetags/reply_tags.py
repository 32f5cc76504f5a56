from django import template

register = template.Library()


@register.filter
def replies_for(replies_by_session: dict, session_id: int) -> list:
    """The latest answers about one session, from notifications.replies.latest_by_session."""
    return (replies_by_session or {}).get(session_id, [])
