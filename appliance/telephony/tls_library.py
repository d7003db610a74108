"""Which TLS library the SIP stack uses: the OpenSSL bundled in the pjsua2 wheel, not the system's.

The wheel carries its own libssl/libcrypto (OpenSSL 1.0.2k for pjsua2-python 2.15.1): end of
life, TLS 1.0/1.1 accepted, no TLS 1.3, no peer verification on outgoing connections. `wardline
doctor` names it so that IT knows to terminate TLS in front of the box (issue 14's front door,
on the system's OpenSSL) rather than on pjsua2.
"""

from __future__ import annotations

import ctypes
import re
from pathlib import Path


def _loaded_libcrypto() -> Path | None:
    """The libcrypto mapped into this process by the pjsua2 extension (import it first)."""
    import pjsua2._pjsua2 as extension

    libs = Path(extension.__file__).resolve().parent.parent / "pjsua2_python.libs"
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        maps = ""
    for line in maps.splitlines():
        path = line.split()[-1] if line.split() else ""
        if "libcrypto" in path and path.startswith(str(libs)):
            return Path(path)
    bundled = sorted(libs.glob("libcrypto*"))
    return bundled[0] if bundled else None


def sip_tls_library() -> str | None:
    """The version string of the OpenSSL pjsua2 runs on (e.g. "OpenSSL 1.0.2k-fips  26 Jan 2017"),
    or None when the wheel does not bundle one (then it uses the system's)."""
    path = _loaded_libcrypto()
    if path is None:
        return None
    lib = ctypes.CDLL(str(path))
    for name in ("OpenSSL_version", "SSLeay_version"):  # 1.1+, then 1.0.x
        fn = getattr(lib, name, None)
        if fn is not None:
            fn.restype, fn.argtypes = ctypes.c_char_p, [ctypes.c_int]
            value = fn(0)
            return value.decode(errors="replace").strip() if value else None
    return None


def end_of_life(version: str) -> bool:
    """OpenSSL before 3.0 (1.0.2 and 1.1.1 included) gets no public security fixes."""
    m = re.search(r"OpenSSL (\d+)\.(\d+)", version)
    return bool(m) and int(m.group(1)) < 3
