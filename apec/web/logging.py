"""Request logs as one JSON object per line, identity numbers masked."""

import json
import logging
import re
import sys
import time
import uuid

from flask import g, request
from flask_login import current_user

# 18-character 身份证号 and passport numbers anywhere in a message, also next to
# Chinese text (where \b would not see a word boundary).
_IDENTITY_RE = re.compile(
    r"(?<![0-9A-Za-z])([0-9]{4})[0-9]{10}([0-9]{3}[0-9Xx])(?![0-9A-Za-z])"
    r"|(?<![0-9A-Za-z])([EeGg][A-Za-z0-9])[0-9]{5}([0-9]{2})(?![0-9A-Za-z])"
)


def mask_identities(text: str) -> str:
    def replace(match):
        if match.group(1):
            return f"{match.group(1)}**********{match.group(2)}"
        return f"{match.group(3)}*****{match.group(4)}"

    return _IDENTITY_RE.sub(replace, text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "event": mask_identities(record.getMessage()),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = mask_identities(self.formatException(record.exc_info))
        # json.dumps escapes newlines, so user input cannot start a new log line.
        return json.dumps(entry, ensure_ascii=False)


logger = logging.getLogger("apec")


def init_app(app):
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False

    @app.before_request
    def start_request():
        g.request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def log_request(response):
        if request.endpoint == "static":
            return response
        fields = {
            "request_id": g.get("request_id"),
            "method": request.method,
            "path": mask_identities(request.path),
            "status": response.status_code,
            "ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1),
            "user_id": current_user.id if current_user and current_user.is_authenticated else None,
        }
        logger.info("request", extra={"fields": fields})
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response
