"""Turn each labeled .txt ({LABEL|text} markup) into its .jsonl (text + character spans).

Run after editing a .txt:  python tests/privacy/data/build_utterances.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
# the labeled files: hand-written (utterances, heldout, corpus_heldout2/3/4/5/6/7/8/9/10/11/12/13/14/
# 15/16/17, corpus_dev3) and written by write_corpus.py (corpus_dev, corpus_heldout)
NAMES = ("utterances", "heldout", "corpus_dev", "corpus_heldout", "corpus_heldout2", "corpus_heldout3",
         "corpus_heldout4", "corpus_heldout5", "corpus_heldout6", "corpus_heldout7", "corpus_heldout8",
         "corpus_heldout9", "corpus_heldout10", "corpus_heldout11", "corpus_heldout12",
         "corpus_heldout13", "corpus_heldout14", "corpus_heldout15", "corpus_heldout16",
         "corpus_heldout17", "corpus_dev3")  # fmt: skip
MARK = re.compile(r"\{([A-Z]+)\|([^{}]+)\}")


def parse(line: str) -> dict:
    text, spans, pos = [], [], 0
    out_len = 0
    for m in MARK.finditer(line):
        plain = line[pos : m.start()]
        text.append(plain)
        out_len += len(plain)
        spans.append({"start": out_len, "end": out_len + len(m.group(2)), "label": m.group(1)})
        text.append(m.group(2))
        out_len += len(m.group(2))
        pos = m.end()
    text.append(line[pos:])
    return {"text": "".join(text), "spans": spans}


def main() -> None:
    for name in NAMES:
        rows = []
        for raw in (HERE / f"{name}.txt").read_text(encoding="utf-8").splitlines():
            if raw.strip() and not raw.startswith("#"):
                rows.append(parse(raw.strip()))
        with open(HERE / f"{name}.jsonl", "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{name}: {len(rows)} utterances")


if __name__ == "__main__":
    main()
