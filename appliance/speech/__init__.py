"""Speech engines: voice activity (Silero), recognition (asr/) and synthesis (tts/)."""
