"""Guangxi (广西, seed 002) province plugin: all rules are data in province.toml."""

from ..base import ProvincePlugin


class Plugin(ProvincePlugin):
    pass
