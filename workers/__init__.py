"""The pipeline as RQ jobs on Redis: the same stage functions `onewindow process` runs
in-process (pipeline/process.py), one job per upload, retries, batch reprocessing. See
docs/workers.md."""
