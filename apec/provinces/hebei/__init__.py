"""Hebei (河北, seed 003) province plugin: all rules are data in province.toml."""

from ..base import ProvincePlugin


class Plugin(ProvincePlugin):
    pass
