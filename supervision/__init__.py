"""Cwtch: the application factory that wires config, extensions and blueprints together."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: Mapping[str, Any] | None = None, *, instance_path: str | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=instance_path,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    from .converters import IdConverter

    # Before any blueprint adds its rules: each rule picks its converter when it is added.
    app.url_map.converters["int"] = IdConverter

    from . import config

    config.load(app, test_config)

    from .extensions import init_extensions

    init_extensions(app)

    from . import errors, i18n, navigation, ratelimits, security
    from .accounts import routes as accounts_routes
    from .admin import routes as admin_routes
    from .admin import pulse_leave_routes, support_routes  # noqa: F401  (they add views to admin's bp)
    from .main import routes as main_routes
    from .mfa import routes as mfa_routes
    from .mydata import routes as mydata_routes
    from .notifications import routes as notifications_routes
    from .booking import (  # noqa: F401  (they add views to bp)
        calendar_routes,
        link_worker_routes,
        record_routes,
        setup_routes,
        supervisor_routes,
    )
    from .booking.blueprint import bp as booking_bp
    from .debriefs import lw_routes, supervisor_routes  # noqa: F401  (they add views to bp)
    from .debriefs.blueprint import bp as debriefs_bp
    from .pulse import answer_routes, leave_routes, trend_routes  # noqa: F401  (they add views to bp)
    from .pulse.blueprint import bp as pulse_bp
    from .reflections import export_routes, routes, share_routes  # noqa: F401  (they add views to bp)
    from .reflections.blueprint import bp as reflections_bp
    from .reports import routes as report_routes  # noqa: F401  (it adds views to bp)
    from .reports.blueprint import bp as reports_bp

    app.register_blueprint(accounts_routes.bp)
    app.register_blueprint(admin_routes.bp)
    app.register_blueprint(main_routes.bp)
    app.register_blueprint(mfa_routes.bp)
    app.register_blueprint(notifications_routes.bp)
    app.register_blueprint(mydata_routes.bp)
    app.register_blueprint(reflections_bp)
    app.register_blueprint(booking_bp)
    app.register_blueprint(debriefs_bp)
    app.register_blueprint(pulse_bp)
    app.register_blueprint(reports_bp)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    navigation.init_app(app)
    ratelimits.init_app(app)  # after every blueprint: it wraps registered views

    from . import cli

    cli.init_app(app)
    if app.config["PROXY_FIX_X_FOR"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind a proxy every request comes from the proxy: trust its header for the client's
        # address, or one person's typos would throttle everyone.
        hops = int(app.config["PROXY_FIX_X_FOR"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    _report_mail_problems(app)
    return app


def _report_mail_problems(app: Flask) -> None:
    """Mistaken mail settings are logged at start-up; they never stop the web app."""
    from .mail import config_problems

    for problem in config_problems(app.config):
        app.logger.error("Mail settings: %s Emails will wait in the outbox until this is fixed.", problem)
