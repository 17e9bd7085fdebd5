"""Production gunicorn settings: `gunicorn -c gunicorn.conf.py idcard.wsgi:app`.

Access log lines carry the time, the method, the path WITHOUT its query string, the
status and the duration in milliseconds. No size: the verify API's two answers are the
same length anyway, and a log must not be able to tell them apart (docs/deploy.md).
Request bodies (where a token travels to the JSON API) are never logged by gunicorn,
and the /v#TOKEN fragment never reaches a server.
"""

import os

bind = os.environ.get("IDCARD_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("IDCARD_WORKERS", "2"))
worker_class = "sync"
timeout = 120  # large print batches stream for a while
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(M)sms'
errorlog = "-"
loglevel = "info"
forwarded_allow_ips = os.environ.get("IDCARD_FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server):  # type: ignore[no-untyped-def]
    """Print the one-time admin setup link when no admin exists yet."""
    from idcard import create_app
    from idcard.cli.staff import announce_setup_link
    from idcard.services import services

    # A throwaway app in the master: workers build their own after the fork, so no
    # database connection is shared between processes.
    app = create_app()
    announce_setup_link(app, services(app).settings.public_url)
    services(app).engine.dispose()


def worker_exit(server, worker):  # type: ignore[no-untyped-def]
    """Write the partners' pending daily counts before a worker goes."""
    from idcard.services import services
    from idcard.wsgi import app

    services(app).usage.flush()
