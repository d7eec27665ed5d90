"""What `rq worker apec` runs: a queued job inside an app (jobs.py puts it on the queue). Apart
from jobs.py because it builds the app, which imports everything jobs.py sits below."""

from flask import has_app_context

from . import create_app
from .jobs import resolve


def run(path: str, *args, **kwargs):
    """Run the job in the current app, or in one of the worker's own (a worker process has none)."""
    if has_app_context():
        return resolve(path)(*args, **kwargs)
    with create_app().app_context():
        return resolve(path)(*args, **kwargs)
