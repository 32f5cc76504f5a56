"""What pairing tells the apps above volunteers (the layers: README), so volunteers.services need
not import them. Sent by ``assign_pair`` inside its transaction, as cases.signals are.

- ``pair_assigned``: ``case``, ``pair`` ([lead, co-mediator]), sent when a volunteer new to the
  case joined it: the case's scheduled sessions are theirs from now (sessions.receivers).
"""

from django.dispatch import Signal

pair_assigned = Signal()
