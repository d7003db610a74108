"""espeak-ng's IPA mapped onto pocketsphinx's phones, for words its dictionary lacks."""

from appliance.speech.asr.g2p import espeak_pronunciations, ipa_to_cmu


def test_ipa_maps_onto_cmu_phones_longest_unit_first() -> None:
    assert ipa_to_cmu("l ˈɪ s ɪ n ˌɑː p ɹ əl") == "L IH S IH N AA P R AH L"
    assert ipa_to_cmu("m ˈɛ t f oːɹ m ˌɪ n") == "M EH T F AO R M IH N"
    assert ipa_to_cmu("ˈaɪ k uː") == "AY K UW"


def test_a_sound_without_a_counterpart_gives_no_pronunciation() -> None:
    assert ipa_to_cmu("ʀ ø") is None
    assert ipa_to_cmu("") is None


def test_medication_and_pharmacy_names_are_spelled() -> None:
    spelled = espeak_pronunciations(["lisinopril", "walgreens", "don't"])
    assert spelled["lisinopril"] == "L IH S IH N AA P R AH L"
    assert spelled["walgreens"] == "W AO L G R IY N Z"
    assert "don't" not in spelled  # only plain words are handed to espeak-ng
