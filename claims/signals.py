"""Signals ``claims.services`` sends before it writes, so that apps built on ``claims`` can refuse a change.

``claims`` knows nothing of reviews; ``reviews`` connects its rule about the published record
(``reviews.workflow.refuse_frozen_claim_change`` and ``refuse_frozen_article_change``) in
``ReviewsConfig.ready``. A receiver refuses by raising (a ``factcheck.exceptions.ConflictError`` for a
change the object's state does not allow: the API answers 409); the write then does not happen. The
services send them inside their transaction (the admin's forms also, to refuse before saving), with:

- ``instance``: the claim or article as stored (the claim locked), before the change is applied;
- ``changed``: a frozenset of the names of the fields whose value the change actually alters (a field
  sent again with its current value is not in it; never empty);
- ``by``: the user making the change, or None.
"""

from django.dispatch import Signal

claim_changing = Signal()
article_changing = Signal()
# Sent after new claims are stored (``services.create_claim``, extraction), inside their transaction, with
# ``claims`` (a list of them) and ``by``: ``reviews`` records a ``claim.created`` event for each
# (``reviews.events``). A receiver that raises rolls the claims back.
claims_created = Signal()
