"""The one job interface (DESIGN.md section 11): work that need not block a request.

`enqueue("module:function", *args)` runs the function inline in the demo and
tests (APEC_JOBS=inline), or puts it on an RQ queue in Redis (APEC_JOBS=rq)
for `rq worker apec` to run. Arguments must be plain data (ids, strings),
never ORM objects, so a job means the same on any process.
"""

import importlib
import logging

from flask import current_app
from redis import Redis
from rq import Queue

logger = logging.getLogger("apec")


def resolve(path: str):
    """The function named by "module:function"."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def enqueue(path: str, *args, **kwargs) -> None:
    mode = current_app.config.get("APEC_JOBS", "inline")
    if mode == "rq":
        # By name: the worker imports apec.worker, which builds its own app.
        Queue("apec", connection=Redis.from_url(current_app.config["APEC_REDIS_URL"])).enqueue(
            "apec.worker.run", path, *args, **kwargs
        )
        return
    try:
        resolve(path)(*args, **kwargs)
    except Exception:  # noqa: BLE001 - a failed e-mail must not undo what the user did
        logger.exception("job failed", extra={"fields": {"job": path}})
