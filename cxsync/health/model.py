"""Health scoring models: data in mappings/health.toml, validated here."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cxsync.errors import MappingError
from cxsync.resources import load_toml, mappings_dir

__all__ = ["MEASURES", "FollowUpRules", "HealthModel", "ModelSet", "load_health_models"]

MEASURES = (
    "account_nps",
    "csat",
    "ces",
    "happiness",
    "coverage",
    "recency",
    "open_followups",
    "hygiene",
)
NpsMethod = Literal["all_responses", "latest_per_contact", "waterfall", "role_weighted"]


class FollowUpRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    lookback_days: int = Field(30, ge=1)
    due_days: int = Field(3, ge=0)
    nps_detractor: bool = True
    csat_max: float | None = 2
    ces_max: float | None = 2
    turned_red: bool = True
    drop_points: float | None = 15
    field_notes: bool = True


class Bands(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    green: float = 70
    red: float = 40

    @model_validator(mode="after")
    def _ordered(self) -> Bands:
        if self.red > self.green:
            raise ValueError("bands: red must not be above green")
        return self


class HealthModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "default"
    description: str = ""
    segments: tuple[str, ...] = ()
    nps_method: NpsMethod = "role_weighted"
    half_life_days: float = Field(180, gt=0)
    weights: dict[str, float]
    role_weights: dict[str, float] = Field(default_factory=dict)
    coverage_window_days: int = Field(180, ge=1)
    coverage_target: dict[str, int] = Field(default_factory=dict)
    recency_horizon_days: int = Field(365, ge=1)
    followup_penalty: float = Field(20, ge=0)
    open_followup_days: int = Field(30, ge=1)
    full_sample: int = Field(5, ge=1)
    bands: Bands = Field(default_factory=Bands)
    trend_threshold: float = Field(5, ge=0)
    followups: FollowUpRules = Field(default_factory=FollowUpRules)

    @model_validator(mode="after")
    def _known_measures(self) -> HealthModel:
        unknown = set(self.weights) - set(MEASURES)
        if unknown:
            raise ValueError(f"unknown measures {sorted(unknown)}; known: {', '.join(MEASURES)}")
        if any(w < 0 for w in self.weights.values()) or sum(self.weights.values()) <= 0:
            raise ValueError("weights must be non-negative and not all zero")
        return self

    def weight_share(self) -> dict[str, float]:
        """Weights normalised to fractions of 1."""
        total = sum(self.weights.values())
        return {m: self.weights.get(m, 0.0) / total for m in MEASURES}


class ModelSet:
    """All models; an account's segment picks one."""

    def __init__(self, models: dict[str, HealthModel]) -> None:
        if "default" not in models:
            raise MappingError("health models: a model named 'default' is required")
        self.models = models
        self._by_segment = {s.lower(): m for m in models.values() for s in m.segments}

    def for_segment(self, segment: str | None) -> HealthModel:
        if segment and segment.lower() in self._by_segment:
            return self._by_segment[segment.lower()]
        return self.models["default"]


@cache
def _load(path: Path) -> ModelSet:
    raw = load_toml(path).get("models", {})
    models = {}
    for name, body in raw.items():
        try:
            models[name] = HealthModel.model_validate({"name": name, **body})
        except ValidationError as exc:
            raise MappingError(f"{path}: model [{name}]: {exc}") from exc
    return ModelSet(models)


def load_health_models(path: Path | None = None) -> ModelSet:
    """The shipped models (mappings/health.toml) or an admin's copy."""
    return _load(path or mappings_dir() / "health.toml")
