"""Shared engine processes: the speech engines loaded once per box, used by every SIP worker."""
