"""Liaoning (辽宁, seed 004) province plugin: all rules are data in province.toml."""

from ..base import ProvincePlugin


class Plugin(ProvincePlugin):
    pass
