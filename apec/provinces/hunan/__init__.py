"""Hunan (湖南, seed 000) province plugin: all rules are data in province.toml."""

from ..base import ProvincePlugin


class Plugin(ProvincePlugin):
    pass
