"""Speech synthesis engines behind one small interface (base.TtsEngine)."""
