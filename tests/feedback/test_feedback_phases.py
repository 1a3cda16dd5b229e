"""Phases checked against persona journeys."""

from __future__ import annotations

import pytest

from cxsync.feedback import phase_checker
from cxsync.models import JourneyStage, Persona


def _persona(key: str, *stages: str) -> Persona:
    return Persona(
        key=key,
        name=key,
        stages=tuple(JourneyStage(key=s, name=s, order=i) for i, s in enumerate(stages)),
    )


PERSONAS = {
    "site_chief": _persona("site_chief", "request", "delivery", "usage"),
    "procurement_manager": _persona("procurement_manager", "evaluation", "payment"),
}


@pytest.mark.parametrize(
    ("persona", "phase", "reason"),
    [
        ("site_chief", "delivery", None),
        (
            "site_chief",
            "payment",
            "not a stage of the site_chief journey (request, delivery, usage)",
        ),
        (None, "payment", None),
        ("unmapped_persona", "usage", None),
        (
            None,
            "onboarding",
            "not a stage of any journey (delivery, evaluation, payment, request, usage)",
        ),
    ],
    ids=[
        "own-stage",
        "other-persona-stage",
        "no-persona-any-stage",
        "unknown-persona",
        "no-journey",
    ],
)
def test_phase_checker(persona: str | None, phase: str, reason: str | None) -> None:
    assert phase_checker(PERSONAS)(persona, phase) == reason


def test_without_journeys_every_phase_passes() -> None:
    assert phase_checker({})("site_chief", "anything") is None
