"""Structured worker logs: one JSON object a line, every ID or card number masked."""

from __future__ import annotations

import json
import logging
import time

from schemas.privacy import mask_text


class MaskedJsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"at": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z",
                 "level": record.levelname.lower(), "logger": record.name,
                 "message": mask_text(record.getMessage()), "pid": record.process}
        if record.exc_info:
            entry["error"] = mask_text(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(MaskedJsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("rq", "rq.worker", "rq.job", "rq.queue", "rq.scheduler"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
