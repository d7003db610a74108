from appliance.call.sentences import split_sentences


def test_splits_on_sentence_ends_but_keeps_titles():
    text = "Thanks, Maria. Dr. Patel has Tuesday at nine. Does that work?  Yes!"
    assert split_sentences(text) == [
        "Thanks, Maria.",
        "Dr. Patel has Tuesday at nine.",
        "Does that work?",
        "Yes!",
    ]


def test_empty_and_single():
    assert split_sentences("  ") == []
    assert split_sentences("Hello") == ["Hello"]
