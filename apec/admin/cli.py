"""Operator commands: `flask create-staff`, `flask create-admin`, `flask check-config`,
`flask staff-digest`, `flask rotate-keys`, `flask backup`, `flask restore` (apec/admin/backup.py)."""

import secrets

import click
from flask import current_app

from ..accounts.models import ROLE_PROVINCE_ADMIN, ROLE_REVIEWER
from ..accounts.passwords import PASSWORD_RULE, is_strong_enough
from ..accounts.services import AccountError, create_staff
from ..provinces.registry import enabled_provinces
from .backup import register_backup_cli


def _province_or_fail(code: str):
    province = enabled_provinces().get(code)
    if province is None:
        raise click.BadParameter(f"'{code}' is not enabled (APEC_PROVINCES: {', '.join(enabled_provinces())})")
    return province


def _password_or_generated(password: str | None) -> tuple[str, bool]:
    if password is None:
        return secrets.token_urlsafe(12) + "a1", True
    if not is_strong_enough(password):
        raise click.BadParameter(PASSWORD_RULE)
    return password, False


def _create(email, password, role, province, office, name):
    password, generated = _password_or_generated(password)
    try:
        user = create_staff(email=email, password=password, role=role, province=province, office_code=office, name=name)
    except AccountError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"created {user.role} {user.email} ({province}{'/' + office if office else ''})")
    if generated:
        click.echo(f"password: {password}")


def register_cli(app):
    @app.cli.command("create-staff")
    @click.option("--province", required=True, help="province code (its folder under apec/provinces/)")
    @click.option("--office", required=True, help="office code from the province's config, e.g. shijiazhuang")
    @click.option("--email", required=True)
    @click.option("--name", default="", help="display name")
    @click.option("--password", default=None, help="omit to generate one")
    def create_staff_command(province, office, email, name, password):
        """Create a reviewer (审核员) account for one office."""
        plugin = _province_or_fail(province)
        if plugin.office(office) is None:
            codes = ", ".join(code for code, _ in plugin.offices())
            raise click.BadParameter(f"unknown office '{office}' in {province} (offices: {codes})")
        _create(email, password, ROLE_REVIEWER, province, office, name)

    @app.cli.command("create-admin")
    @click.option("--province", required=True)
    @click.option("--email", required=True)
    @click.option("--name", default="")
    @click.option("--password", default=None, help="omit to generate one")
    def create_admin_command(province, email, name, password):
        """Create a province admin (省管理员) account."""
        _province_or_fail(province)
        _create(email, password, ROLE_PROVINCE_ADMIN, province, None, name)

    @app.cli.command("check-config")
    def check_config_command():
        """Validate every enabled province's configuration (the app already did at start)."""
        for code, plugin in current_app.extensions["apec_provinces"].items():
            click.echo(f"{code}: {plugin.name}, {len(plugin.offices())} offices, chain {' → '.join(plugin.config.workflow.chain)}")
        click.echo("configuration OK")

    @app.cli.command("staff-digest")
    def staff_digest_command():
        """E-mail today's 每日待办摘要 to the reviewers who asked for it (once a day each)."""
        from ..review.digest import send_daily_digests

        click.echo(f"sent {send_daily_digests()} digest(s)")

    @app.cli.command("rotate-keys")
    def rotate_keys_command():
        """Re-seal every identity number under the first key of APEC_DATA_KEYS."""
        from .keys import rotate_keys

        counts = rotate_keys()
        for place, counted in sorted(counts.items()):
            click.echo(f"{place}: {counted['resealed']} re-encrypted, {counted['current']} already current")
        click.echo(f"done: {sum(c['resealed'] for c in counts.values())} value(s) re-encrypted")

    register_backup_cli(app)
