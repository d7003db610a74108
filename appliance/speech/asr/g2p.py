"""Pronunciations for words pocketsphinx's dictionary lacks, from espeak-ng's letter-to-sound rules.

A hospital's most important words are the ones a general dictionary does not have: medication
names (lisinopril, metformin), providers' surnames, pharmacies. Without a pronunciation a word
cannot be in the language model at all, so "a refill on my lisinopril" comes out as "… on my
please". espeak-ng (already on the box for the agent's voice) spells any word in IPA; this maps
its US-English phonemes onto the CMU phone set the acoustic model uses.

Runs wherever the language model is built (once per site pack, then cached with it).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable

# espeak-ng en-us IPA (stress and length marks removed) -> CMU phones. Multi-character units
# first: the tokenizer takes the longest match.
IPA_TO_CMU = {
    "aɪɚ": "AY ER", "aɪə": "AY AH", "aʊɚ": "AW ER",
    "ɔːɹ": "AO R", "ɔɹ": "AO R", "oːɹ": "AO R", "oɹ": "AO R", "ɑːɹ": "AA R", "ɑɹ": "AA R",
    "ɪɹ": "IH R", "ɛɹ": "EH R", "ʊɹ": "UH R", "iə": "IY AH", "əl": "AH L",
    "aɪ": "AY", "aʊ": "AW", "ɔɪ": "OY", "oʊ": "OW", "eɪ": "EY", "tʃ": "CH", "dʒ": "JH",
    "ɪ": "IH", "i": "IY", "ɛ": "EH", "e": "EY", "æ": "AE", "ɑ": "AA", "a": "AA", "ɔ": "AO",
    "o": "OW", "ʊ": "UH", "u": "UW", "ʌ": "AH", "ə": "AH", "ɐ": "AH", "ᵻ": "IH", "ɚ": "ER",
    "ɜ": "ER", "p": "P", "b": "B", "t": "T", "d": "D", "k": "K", "ɡ": "G", "g": "G", "f": "F",
    "v": "V", "θ": "TH", "ð": "DH", "s": "S", "z": "Z", "ʃ": "SH", "ʒ": "ZH", "h": "HH",
    "m": "M", "n": "N", "ŋ": "NG", "l": "L", "ɹ": "R", "r": "R", "w": "W", "j": "Y", "ɾ": "T",
    "x": "HH", "ʔ": "",
}  # fmt: skip
_MARKS = str.maketrans("", "", "ˈˌː")
_LONGEST = max(len(k) for k in IPA_TO_CMU)


def ipa_to_cmu(ipa: str) -> str | None:
    """One word's IPA as CMU phones, or None when a sound has no counterpart."""
    phones: list[str] = []
    text = ipa.translate(_MARKS).replace(" ", "")
    i = 0
    while i < len(text):
        for size in range(min(_LONGEST, len(text) - i), 0, -1):
            cmu = IPA_TO_CMU.get(text[i : i + size])
            if cmu is not None:
                phones += cmu.split()
                i += size
                break
        else:
            return None
    return " ".join(phones) or None


def espeak_pronunciations(words: Iterable[str], voice: str = "en-us") -> dict[str, str]:
    """word -> CMU phones for every word espeak-ng can spell; {} when espeak-ng is missing."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        return {}
    found: dict[str, str] = {}
    for word in words:
        if not word.isalpha():
            continue  # "don't" and the like are in the dictionary already; keep the input plain
        try:
            out = subprocess.run(
                [exe, "-q", "-v", voice, "--ipa", "--sep= ", word],
                capture_output=True, text=True, timeout=10, check=True,
            ).stdout  # fmt: skip
        except (OSError, subprocess.SubprocessError):
            continue
        phones = ipa_to_cmu(out.strip())
        if phones:
            found[word] = phones
    return found
