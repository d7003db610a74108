"""The tagger's fast scorer finds exactly what the plain definition of its model finds.

tagger.TagModel scores words from a form of the weights derived at load (one record per distinct
word, pair features as nested look-ups) so that live turns can be tagged; the model it must agree
with is defined here the plain way, one feature string at a time, summed in the same order as
training's view of a word (`features_with_tag`) groups them. Every line of every labeled set in
tests/privacy/data, every PHI-free caller sentence and a generated corpus of names and places must
give the same spans and the same margins, to the last bit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appliance.privacy.redaction import tagger
from appliance.privacy.redaction.tagger_corpus import generate

DATA = Path(__file__).parent / "data"


def _sum(weights: dict[str, list[float]], feats) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    o = n = a = 0.0
    for f in feats:
        v = weights.get(f)
        if v is not None:
            o, n, a = o + v[0], n + v[1], a + v[2]
    return (o, n, a)


def reference_scored(weights: dict[str, list[float]], words: list[str]) -> list[tuple[str, float]]:
    """The model's definition: a word's own features, then each neighbour's, then the frame's
    pairs, then the previous tag; greedy left to right (tagger.py before it was made fast)."""
    edge = "<s>"
    padded = [edge, edge, *words, edge, edge]
    lows = [x.lower() for x in padded]
    out: list[tuple[str, float]] = []
    prev_tag = edge
    for k in range(2, len(words) + 2):
        o, n, a = _sum(weights, tagger.own_features(padded[k]))
        for j, where in ((k - 2, "-2"), (k - 1, "-1"), (k + 1, "+1"), (k + 2, "+2")):
            v = _sum(weights, tagger.context_features(padded[j], where))
            o, n, a = o + v[0], n + v[1], a + v[2]
        low, prev, nxt = lows[k], lows[k - 1], lows[k + 1]
        cls = tagger.word_class(low)
        frame = (
            "-1,+1=" + prev + "|" + nxt, "-1w,c=" + prev + "|" + cls, "c,+1w=" + cls + "|" + nxt,
            "-2,-1=" + lows[k - 2] + "|" + prev, "+1,+2=" + nxt + "|" + lows[k + 2],
            "t-1=" + prev_tag, "t-1,w=" + prev_tag + "|" + low,
        )  # fmt: skip
        for f in frame:
            v = weights.get(f)
            if v is not None:
                o, n, a = o + v[0], n + v[1], a + v[2]
        tag = "O" if o >= n and o >= a else ("NAME" if n >= a else "ADDRESS")
        out.append((tag, 0.0 if tag == "O" else max(n, a) - o))
        prev_tag = tag
    return out


def reference_spans(weights: dict[str, list[float]], text: str) -> tuple[list, list]:  # type: ignore[type-arg]
    """(scored spans, kept spans) as the plain model gives them."""
    matches = list(tagger.TAG_TOKEN.finditer(text))
    scored: list[tuple[int, int, str, float]] = []
    if matches:
        tagged = reference_scored(weights, [m.group() for m in matches])
        start = end = -1
        label, best = "O", 0.0
        for m, (tag, margin) in zip(matches, tagged, strict=True):
            if tag == label and tag != "O":
                end, best = m.end(), max(best, margin)
                continue
            if label != "O":
                scored.append((start, end, label, best))
            label, start, end, best = tag, m.start(), m.end(), margin
        if label != "O":
            scored.append((start, end, label, best))
        scored = [x for x in scored if any(c.isalpha() for c in text[x[0] : x[1]])]
    kept = []
    for s, e, lab, margin in scored:
        if lab == "NAME":
            s = tagger._with_given_name_before(text, s)
        if margin >= tagger.SURE_MARGIN or tagger.has_evidence(text, s, e, lab):
            kept.append((s, e, lab))
    return scored, kept


def _lines() -> list[str]:
    lines = []
    for path in sorted(DATA.glob("*.jsonl")):
        lines += [json.loads(x)["text"] for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    for path in sorted(DATA.glob("*.txt")):
        lines += [
            x for x in path.read_text(encoding="utf-8").splitlines() if x.strip() and not x.startswith("#")
        ]
    return lines


ODD_TEXTS = (
    "", " ", ".", "|", "a | b || c", "<s> </s> <s>", "Will Fisher | Elm Row", "zoë o'connell-ashworth",
    "ÉMILE DUPONT rang", "١٢٣ 456 sept", "\u200b\u200bhello\u200b", "we saw will fisher " * 200,
)  # fmt: skip


@pytest.fixture(scope="module")
def model() -> tagger.TagModel:
    got = tagger.shared_tagger()
    assert got is not None, tagger.status().detail
    return got


def _assert_same(model: tagger.TagModel, texts: list[str]) -> int:
    found = 0
    for text in texts:
        scored, kept = reference_spans(model.weights, text)
        assert model.scored_spans(text) == scored, text
        assert model.spans(text) == kept, text
        found += len(kept)
    return found


def test_every_labeled_line_and_phi_free_sentence_gets_the_same_spans(model: tagger.TagModel) -> None:
    lines = _lines()
    assert len(lines) > 3000  # every set was read
    assert _assert_same(model, lines) > 300  # and the tagger found names and places in them


def test_generated_names_and_places_and_odd_text_get_the_same_spans(model: tagger.TagModel) -> None:
    texts = [text for text, _ in generate(600, 17)]
    texts += [t.upper() for t in texts[:100]] + [t.title() for t in texts[100:200]]
    assert _assert_same(model, texts + list(ODD_TEXTS)) > 300


def test_a_word_list_is_tagged_as_the_plain_model_tags_it(model: tagger.TagModel) -> None:
    for words in (["<s>"], ["<s>", "<s>", "will"], ["|", "x|y", "will", "fisher"], ["Holly", "Frost"]):
        assert model.tag_scored(words) == reference_scored(model.weights, words)


def test_the_tagger_cuts_ascii_text_into_the_same_words_as_any_text() -> None:
    texts = _lines() + list(ODD_TEXTS)
    texts += ["x\x1cy\x1fz_1 a_b 3rd o'neil-smith don't - ' -- ''", "".join(map(chr, range(128))) * 2]
    for text in texts:
        assert tagger.tag_tokens(text) == tagger.TAG_TOKEN.findall(text), text


def test_a_full_word_memory_starts_again_and_tags_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    small = tagger.load()
    monkeypatch.setattr(tagger, "_WORDS_HELD", 8)
    texts = [text for text, _ in generate(80, 23)]
    for text in texts:
        assert small.scored_spans(text) == reference_spans(small.weights, text)[0], text
    assert len(small._words) <= 8
