"""What a case's lifecycle tells the apps above cases (the layers: README, "Architecture in a few
lines"), so cases.services need not import them. Each is sent by the service inside its
transaction, with the case as it holds it under its row lock: a receiver's writes commit or roll
back with the change, and a receiver's ValidationError refuses it (Django's ``send`` lets it
through). Receivers are connected by their app's ``ready`` (``<app>/receivers.py``), in the
order of INSTALLED_APPS.

- ``case_moved``: ``case``, ``steps`` ([(from, to), …], the lifecycle steps just taken), ``by``.
- ``case_closed``: ``case``, ``mediated`` (mediation took place), ``by``. What was still to come
  stops with it.
- ``case_reopening``: ``case``, ``by``, before anything changes: a receiver refuses by raising.
- ``case_reopened``: ``case``, ``by``, after it is open again.
"""

from django.dispatch import Signal

case_moved = Signal()
case_closed = Signal()
case_reopening = Signal()
case_reopened = Signal()
