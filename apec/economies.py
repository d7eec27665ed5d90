"""The APEC economies of the card scheme, read from data/economies.toml."""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class Economy:
    code: str
    name: str
    applies_to_mainland: bool = True
    transitional: bool = False

    @property
    def preclears(self) -> bool:
        """Decides on mainland applicants one by one (at most 16 economies)."""
        return self.applies_to_mainland and not self.transitional


@cache
def all_economies() -> tuple[Economy, ...]:
    with (Path(__file__).parent / "data" / "economies.toml").open("rb") as handle:
        return tuple(Economy(**entry) for entry in tomllib.load(handle)["economy"])


def preclearing_economies() -> tuple[Economy, ...]:
    return tuple(economy for economy in all_economies() if economy.preclears)


def transitional_economies() -> tuple[Economy, ...]:
    return tuple(economy for economy in all_economies() if economy.transitional)


def economy_name(code: str) -> str:
    return next((economy.name for economy in all_economies() if economy.code == code), code)
