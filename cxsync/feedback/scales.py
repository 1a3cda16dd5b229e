"""Score scales (NPS 0–10, CSAT 1–5, CES 1–7, happiness 1–5), configurable as data."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from cxsync.errors import MappingError
from cxsync.models import Metric
from cxsync.resources import load_toml, mappings_dir

__all__ = ["Scale", "Scales", "load_scales"]


class Scale(BaseModel):
    """The accepted range of one metric's scores."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min: float
    max: float
    integer: bool = True

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if self.min >= self.max:
            raise ValueError(f"min ({self.min}) must be below max ({self.max})")
        return self

    def problem(self, score: float) -> str | None:
        """Why ``score`` is not on this scale, or None when it is."""
        if self.integer and not float(score).is_integer():
            return f"must be a whole number from {_num(self.min)} to {_num(self.max)}"
        if not self.min <= score <= self.max:
            return f"must be between {_num(self.min)} and {_num(self.max)}"
        return None


class Scales(BaseModel):
    """One :class:`Scale` per metric."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    nps: Scale = Scale(min=0, max=10, integer=True)
    csat: Scale = Scale(min=1, max=5, integer=False)
    ces: Scale = Scale(min=1, max=7, integer=False)
    happiness: Scale = Scale(min=1, max=5, integer=False)

    def for_metric(self, metric: Metric) -> Scale:
        scale: Scale = getattr(self, metric.value)
        return scale


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def load_scales(path: Path | None = None) -> Scales:
    """The shipped ``mappings/scales.toml`` (or the given file) as :class:`Scales`.

    Raises:
        MappingError: the file is missing, not TOML, or a scale is invalid.
    """
    source = path or mappings_dir() / "scales.toml"
    try:
        return Scales.model_validate(load_toml(source))
    except ValidationError as exc:
        raise MappingError(f"{source}: {exc}") from exc
