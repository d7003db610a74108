"""Does a terse answer name a whole request? The understanding layer's word, for end of turn.

"Billing." or "Refill please." to "how can I help?" is a whole turn; "my insurance" is the start
of a sentence. Grammar alone cannot tell a terse request from a fragment, but what the site's
understanding makes of the words can: when they become a command (start a flow, hand off, ask
the documents, fill the slot being asked for), they name something whole, and the voice then
decides how soon the turn ends (endpointing.py). The site's rule understanding is used: it is
deterministic and takes well under a millisecond, so it may run on the event loop at a pause.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from appliance.dialog.commands import (
    AskKnowledge,
    ChooseOption,
    Goodbye,
    HandOff,
    SetSlot,
    StartFlow,
)
from appliance.dialog.nlu import RuleNlu
from appliance.dialog.sitepack import SitePack
from appliance.dialog.understanding import DialogContext

# Commands that are a whole request or answer on their own.
_WHOLE = (StartFlow, HandOff, AskKnowledge, SetSlot, ChooseOption, Goodbye)


class RequestNames:
    """`names(text, expecting)`: the site's rule understanding reads a whole request in `text`."""

    def __init__(self, site: SitePack) -> None:
        self._nlu = RuleNlu(site)
        self._flows = tuple(site.flows)

    def __call__(self, text: str, expecting: str | None) -> bool:
        try:
            commands = self._nlu.understand(text, DialogContext(expecting=expecting, flows=self._flows))
        except Exception:  # understanding that fails here says nothing: the turn waits as before
            return False
        return any(isinstance(c, _WHOLE) for c in commands)


_lock = threading.Lock()
# The newest packs only: every reload makes a new pack, and calls still on an older one may ask
# for a while, but a box that reloads for months must not keep each pack it ever had.
_KEPT = 4
_by_site: OrderedDict[int, tuple[SitePack, RequestNames]] = OrderedDict()


def request_names_for(site: SitePack | None) -> RequestNames | None:
    """One reader per site pack (its patterns compiled once), None without a site."""
    if site is None:
        return None
    with _lock:
        held = _by_site.get(id(site))
        if held is None or held[0] is not site:
            held = (site, RequestNames(site))
            _by_site[id(site)] = held
            while len(_by_site) > _KEPT:
                _by_site.popitem(last=False)
        _by_site.move_to_end(id(site))
        return held[1]
