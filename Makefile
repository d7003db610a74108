# The two commands a newcomer needs: `make demo` and `make test`. Each sets everything up first.
.PHONY: setup demo test lint bench

setup:
	./scripts/setup

demo: setup
	.venv/bin/wardline demo

test: setup
	.venv/bin/ruff check .
	.venv/bin/python -m pytest -q

lint: setup
	.venv/bin/ruff check .

bench: setup
	.venv/bin/python bench/voice_to_voice.py
