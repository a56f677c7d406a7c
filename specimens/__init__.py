"""Synthetic Chinese identity documents with ground truth: made-up people (`people`), flat
card renders (`cards`), "photographed" variants (`camera`) and whole sets with truth.json
(`generate`). OneWindow's tests, demo and benchmarks read what this package writes."""
