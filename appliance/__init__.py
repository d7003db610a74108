"""Wardline: an on-prem voice agent appliance for regulated sites."""

__version__ = "0.1.0"
