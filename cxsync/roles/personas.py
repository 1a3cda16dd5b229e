"""Personas, their journeys, and which persona a role tag implies."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from cxsync.errors import MappingError
from cxsync.models import BuyingRole, Function, JourneyStage, Persona, RoleTag
from cxsync.resources import load_toml, mappings_dir

__all__ = ["check_phase", "load_personas", "persona_for"]

# (first role, function or None for any) → persona key, most specific first
_PERSONA_RULES: tuple[tuple[BuyingRole, Function | None, str], ...] = (
    (BuyingRole.REQUESTER, Function.SITE_OPERATIONS, "site_chief"),
    (BuyingRole.APPROVER, Function.PROCUREMENT, "procurement_manager"),
    (BuyingRole.APPROVER, Function.FINANCE, "finance_director"),
    (BuyingRole.INFLUENCER, Function.QUALITY, "quality_lead"),
    (BuyingRole.INFLUENCER, Function.IT, "it_lead"),
    (BuyingRole.REQUESTER, Function.PRODUCTION, "production_manager"),
    (BuyingRole.REQUESTER, Function.SALES_DEALER, "dealer_sales"),
    (BuyingRole.END_USER, Function.SALES_DEALER, "dealer_sales"),
    (BuyingRole.DECISION_MAKER, None, "executive_sponsor"),
    (BuyingRole.END_USER, None, "end_user_operator"),
)


def persona_for(tag: RoleTag) -> str | None:
    """The persona a title implies (first role and function), or None."""
    if not tag.roles:
        return None
    first = tag.roles[0]
    for role, function, key in _PERSONA_RULES:
        if role is first and (function is None or function is tag.function):
            return key
    return None


@cache
def _load(path: Path) -> dict[str, Persona]:
    raw = load_toml(path)
    personas = {}
    for key, entry in raw.items():
        try:
            stages = tuple(
                JourneyStage(order=i + 1, **stage)
                for i, stage in enumerate(entry.get("stages", []))
            )
            personas[key] = Persona(
                key=key,
                name=entry.get("name", key),
                roles=tuple(entry.get("roles", ())),
                functions=tuple(entry.get("functions", ())),
                stages=stages,
            )
        except (ValidationError, TypeError) as exc:
            raise MappingError(f"{path}: persona [{key}]: {exc}") from exc
    return personas


def load_personas(path: Path | None = None) -> dict[str, Persona]:
    """Personas by key from mappings/personas.toml (or an admin's file)."""
    return dict(_load(path or mappings_dir() / "personas.toml"))


def check_phase(
    persona: Persona | None, phase: str, all_personas: Mapping[str, Persona]
) -> str | None:
    """None when ``phase`` is a stage of the persona's journey; otherwise why not."""
    key = phase.strip().lower()
    if persona is not None:
        if persona.stage(key) is not None:
            return None
        stages = ", ".join(s.key for s in persona.stages)
        return f"phase {phase!r} is not in the {persona.key} journey ({stages})"
    if any(p.stage(key) is not None for p in all_personas.values()):
        return None
    known = sorted({s.key for p in all_personas.values() for s in p.stages})
    return f"phase {phase!r} is not a stage of any journey ({', '.join(known)})"
