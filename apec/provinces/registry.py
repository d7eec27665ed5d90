"""Loads the enabled province plugins, merges operator overrides, validates.

`load_provinces` runs once at start-up; afterwards the registry is read-only
and lives on `app.extensions`, so every process builds the same one from the
same files and holds no state of its own.
"""

import importlib
import json
import tomllib
from pathlib import Path

from flask import current_app
from pydantic import ValidationError

from .base import ProvincePlugin
from .schema import ProvinceConfig, cross_check

PLUGIN_DIR = Path(__file__).parent


def discover_provinces(extra_dir: Path | None = None) -> dict[str, Path]:
    """Every province there is: a folder holding a province.toml, here or in `extra_dir` (an
    operator's own plugins). {code: folder}."""
    found = {}
    for directory in (PLUGIN_DIR, extra_dir):
        if directory is not None and directory.is_dir():
            for folder in sorted(directory.iterdir()):
                if (folder / "province.toml").is_file():
                    found.setdefault(folder.name, folder)
    return found


class ProvinceConfigError(RuntimeError):
    """A province's configuration is wrong; the message names the file and key."""


def deep_merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ProvinceConfigError(f"{path}: not valid TOML: {error}") from None


def _lookup(data: dict, location: tuple) -> bool:
    node = data
    for part in location:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):  # an entry of a material list
            node = node[int(part)]
            continue
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _override_is_to_blame(override: dict, data: dict, location: tuple) -> bool:
    """The override sets this key, or added the table holding it (the plugin has none)."""
    if _lookup(override, location):
        return True
    return any(
        _lookup(override, location[:depth]) and not _lookup(data, location[:depth])
        for depth in range(1, len(location))
    )


def _plugin_class(code: str, folder: Path) -> type[ProvincePlugin]:
    """The plugin's own class where a rule needs code (its __init__.py defines Plugin), else the
    base: a province that data can say entirely needs no Python."""
    if folder.parent == PLUGIN_DIR and (folder / "__init__.py").is_file():
        return getattr(importlib.import_module(f"{__package__}.{code}"), "Plugin", ProvincePlugin)
    return ProvincePlugin


def load_province(code: str, folder: Path, override_dir: Path) -> ProvincePlugin:
    data_file = folder / "province.toml"
    data = _read_toml(data_file)
    override_file = override_dir / f"{code}.toml"
    override = _read_toml(override_file) if override_file.exists() else {}
    merged = deep_merge(data, override)

    def problem(location: tuple, message: str, related: tuple = ()) -> str:
        """One line naming the file the bad key came from: the override if it set it."""
        blamed = any(_override_is_to_blame(override, data, path) for path in (location, *related))
        source = override_file if blamed else data_file
        also = "".join(f" (with '{'.'.join(path)}')" for path in related)
        return f"{source}: key '{'.'.join(location) or '(top level)'}'{also}: {message}"

    try:
        config = ProvinceConfig.model_validate_json(json.dumps(merged, default=str), strict=True)
    except ValidationError as error:
        problems = [problem(tuple(str(part) for part in item["loc"]), item["msg"]) for item in error.errors()]
        raise ProvinceConfigError("invalid province configuration\n" + "\n".join(problems)) from None
    problems = [problem(paths[0], message, paths[1:]) for message, paths in cross_check(config)]
    if config.code != code:
        problems.append(problem(("code",), f"is '{config.code}', expected '{code}'"))
    plugin = _plugin_class(code, folder)(config)
    if not problems:
        for office_code in config.offices:
            try:
                plugin.review_path(office_code)
            except ValueError as error:
                problems.append(problem(("offices", office_code, "reports_to"), str(error)))
    if problems:
        raise ProvinceConfigError("invalid province configuration\n" + "\n".join(problems))
    return plugin


def load_provinces(codes: list[str], override_dir: Path, extra_dir: Path | None = None) -> dict[str, ProvincePlugin]:
    if not codes:
        raise ProvinceConfigError("APEC_PROVINCES: name at least one province")
    known = discover_provinces(extra_dir)
    for code in codes:
        if code not in known:
            raise ProvinceConfigError(f"APEC_PROVINCES: unknown province '{code}' (known: {', '.join(known)})")
    return {code: load_province(code, known[code], override_dir) for code in codes}


def get_province(code: str) -> ProvincePlugin:
    """The plugin of an enabled province; KeyError for any other code."""
    return current_app.extensions["apec_provinces"][code]


def enabled_provinces() -> dict[str, ProvincePlugin]:
    return current_app.extensions["apec_provinces"]
