"""Registry errors: each names what was wrong and where, and is fit to show a user as is.

Every failure leaves the active models untouched: the registry only swaps a pointer after the
new model has been checked, so an error at any step changes nothing that is running.
"""

from __future__ import annotations

from appliance.cli.errors import user_error


@user_error(2)
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


class OfflineError(RegistryError):
    """A model reference that would need a download (a hub id, a URL); Wardline never downloads."""

    code = "offline-only"
