"""The two checks every redaction round's tests make: a secret is hidden under its label, or a
sentence with no PHI comes back unchanged."""

from __future__ import annotations

from appliance.privacy.redaction import redact


def hidden(text: str, secret: str, label: str, tagged: bool = False) -> None:
    out = redact(text, tagged=tagged).text
    assert f"[{label}]" in out, out
    # brackets apart, so "[NAME]quixley" still shows the surname it kept
    for word in secret.split():
        if any(c.isalnum() for c in word):
            assert word not in out.replace("[", " ").replace("]", " ").split(), out


def kept(text: str, tagged: bool = False) -> None:
    assert redact(text, tagged=tagged).text == text
