"""Layer 3: the archive. A blob-store protocol with a local-directory backend (the embedded
default); content-addressed uploads and one record per submission on top of it."""
