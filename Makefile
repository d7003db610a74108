# The two commands a newcomer needs: `make demo` and `make test`. Each sets everything up first.
.PHONY: setup demo test lint bench test-deb deb check-tagger

setup:
	./scripts/setup

demo: setup
	.venv/bin/wardline demo

test: setup
	.venv/bin/ruff check .
	.venv/bin/python -m pytest -q --durations=15

lint: setup
	.venv/bin/ruff check .

# Rebuild the redaction tagger's weights and word classes from the repository and compare them
# with their sha256 pins (about a minute of one core; writes nothing; README, "Reproducing ...").
check-tagger: setup
	.venv/bin/python -m appliance.privacy.redaction.tagger_train --check

# Voice-to-voice beside Pipecat 1.14, on the embedded engines and on Whisper tiny.en + Piper joe.
bench: setup
	.venv/bin/python bench/voice_to_voice.py --engines embedded
	.venv/bin/python bench/voice_to_voice.py --engines neural

# The Debian package (deploy/build-deb) and its install/upgrade/remove/purge test in a Debian 12
# chroot (root, network for debootstrap; about 15 minutes the first time, cached in build/deb).
deb:
	deploy/build-deb

test-deb: setup
	WARDLINE_TEST_DEB=1 .venv/bin/python -m pytest -q -m slow tests/deploy
