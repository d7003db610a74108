"""Registry errors: each names what was wrong and where, and is fit to show a user as is.

Every failure leaves the active models untouched: the registry only swaps a pointer after the
new model has been checked, so an error at any step changes nothing that is running. The CLI's
one error table (appliance/cli/errors.py, filled in cli/main.py) maps them to exit code 2.

`OfflineError` (a model reference that would need a download) is the egress rule's own error,
raised by appliance/privacy/offline.py for every engine; it is named here too, as the registry
passes it on unchanged.
"""

from __future__ import annotations

from appliance.privacy.offline import OfflineError

__all__ = [
    "HealthCheckError",
    "IntegrityError",
    "ManifestError",
    "NotInstalledError",
    "OfflineError",
    "RegistryError",
    "UnsupportedModelError",
]


class RegistryError(Exception):
    """A model operation that was refused; the message says why."""

    code = "registry-error"


class ManifestError(RegistryError):
    code = "manifest-invalid"


class IntegrityError(RegistryError):
    """A file whose size or sha256 does not match what the manifest or the install recorded."""

    code = "integrity-mismatch"


class UnsupportedModelError(RegistryError):
    code = "model-unsupported"


class NotInstalledError(RegistryError):
    code = "model-not-installed"


class HealthCheckError(RegistryError):
    code = "health-check-failed"
