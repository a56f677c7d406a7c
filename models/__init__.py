"""Layer 2: machine-learning adapters behind small protocols. Numpy arrays in, plain results
out; models load lazily, once per process, never at import."""
