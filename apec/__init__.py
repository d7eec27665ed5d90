"""APEC 商务旅行卡 online service: the application factory."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import models  # noqa: F401  (registers every table)
from .accounts.views import bp as accounts_bp
from .admin.cli import register_cli
from .admin.views import bp as admin_bp
from .applications.book_panel import bp as apply_books_bp
from .applications.material_files import bp as materials_bp
from .applications.user_center import bp as user_center_bp
from .applications.views import bp as apply_bp
from .demo import register_demo_cli
from .documents.views import bp as documents_bp
from .enterprises.views import bp as enterprises_bp
from .extensions import csrf, db, login_manager, migrate
from .materials.storage import build_storage
from .notifications.views import bp as notifications_bp, staff_bp as staff_messages_bp
from .provinces.registry import load_provinces
from .review.views import bp as review_bp
from .settings import load_settings
from .web import errors, logging as request_logging, ratelimit, security, session as web_session, templating
from .web.urls import RowIdConverter
from .web.views import bp as site_bp

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: dict | None = None) -> Flask:
    """Build the app from config/default.toml, the environment and `config` (tests)."""
    app = Flask(__name__, instance_relative_config=False)
    app.url_map.converters["int"] = RowIdConverter
    app.config.update(load_settings())
    if config:
        app.config.update(config)

    if app.config.get("APEC_TRUSTED_PROXIES"):
        # Behind nginx: the client's address and scheme come from the proxy's headers.
        proxies = app.config["APEC_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    extra = app.config.get("APEC_PLUGIN_DIR")
    app.extensions["apec_provinces"] = load_provinces(
        app.config["APEC_PROVINCES"], app.config["APEC_PROVINCE_OVERRIDES"], Path(extra) if extra else None
    )

    app.extensions["apec_storage"] = build_storage(app.config)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)

    templating.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    ratelimit.init_app(app)
    web_session.init_app(app)
    request_logging.init_app(app)

    for blueprint in (
        site_bp, accounts_bp, enterprises_bp, user_center_bp, apply_bp, apply_books_bp, materials_bp, documents_bp,
        notifications_bp, staff_messages_bp, review_bp, admin_bp,
    ):
        app.register_blueprint(blueprint)

    register_cli(app)
    register_demo_cli(app)
    return app
