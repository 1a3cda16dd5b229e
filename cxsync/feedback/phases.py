"""Checking a response's journey phase against the respondent's persona."""

from __future__ import annotations

from collections.abc import Mapping

from cxsync.feedback.validate import PhaseCheck
from cxsync.models import Persona

__all__ = ["phase_checker"]


def phase_checker(personas: Mapping[str, Persona]) -> PhaseCheck:
    """A ``check_phase`` for :func:`~cxsync.feedback.import_feedback` from persona journeys.

    A respondent with a known persona must name one of its stages; without one (or with a
    persona not in ``personas``) any stage of any journey is accepted.
    """
    every = sorted({s.key for p in personas.values() for s in p.stages})

    def check(persona_key: str | None, phase: str) -> str | None:
        persona = personas.get(persona_key) if persona_key else None
        if persona is not None:
            if persona.stage(phase) is not None:
                return None
            stages = ", ".join(s.key for s in sorted(persona.stages, key=lambda s: s.order))
            return f"not a stage of the {persona.key} journey ({stages})"
        if phase in every or not every:
            return None
        return f"not a stage of any journey ({', '.join(every)})"

    return check
