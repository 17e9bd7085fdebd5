"""The WSGI entry point for gunicorn: `gunicorn idcard.wsgi:app`."""

from idcard import create_app

app = create_app()
