# The two commands a fresh machine needs (README.md):
#   make demo   set up, then read and pre-review two generated applications
#   make test   set up, then run the test suite (what CI runs)
.PHONY: setup demo test bench

setup:
	bash scripts/setup.sh

demo: setup
	.venv/bin/onewindow demo

test: setup
	bash scripts/services.sh
	.venv/bin/python -m pytest

bench: setup
	.venv/bin/python bench/extract.py
	.venv/bin/python bench/archive.py
	bash scripts/services.sh
	.venv/bin/python bench/portal.py
