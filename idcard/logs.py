"""Logging: events and ids only (privacy rule 6).

Nothing here filters personal data out of messages; the rule is kept by never
putting it in. Log calls pass an event name and record ids, nothing typed by a
person. tests/test_logs.py enrolls residents and scans every line logged.
"""

from __future__ import annotations

import logging
import logging.config

from idcard.settings import Settings


def configure_logging(settings: Settings) -> None:
    """Send the app's log lines to stderr in one plain format."""
    level = "WARNING" if settings.env == "testing" else "INFO"
    logging.config.dictConfig({
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
        "loggers": {"idcard": {"handlers": ["stderr"], "level": level, "propagate": True}},
    })
