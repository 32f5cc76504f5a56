# The booking fixtures are the sessions tests' own: messages are about booked sessions.
from tests.sessions.conftest import at, book  # noqa: F401
