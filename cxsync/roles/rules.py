"""The title-reading rules (mappings/roles.toml plus an admin's additions), validated and
compiled into one phrase table for a single left-to-right scan."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cxsync.errors import MappingError
from cxsync.models import Function
from cxsync.resources import load_toml, mappings_dir
from cxsync.text import ascii_fold

__all__ = ["Compiled", "Match", "compile_rules", "fold_title", "load_role_rules"]

Kind = Literal["approver", "influencer", "expert", "line", "none"]


class Department(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    words: list[str] = Field(default_factory=list)
    prefixes: list[str] = Field(default_factory=list)


class Levels(BaseModel):
    model_config = ConfigDict(extra="forbid")

    company_head: list[str] = Field(default_factory=list)
    c_level: dict[str, Function] = Field(default_factory=dict)
    head: list[str] = Field(default_factory=list)
    head_suffixes: list[str] = Field(default_factory=list)
    worker: dict[str, Function] = Field(default_factory=dict)
    worker_suffixes: dict[str, Function] = Field(default_factory=dict)
    generic: list[str] = Field(default_factory=list)
    assistant_to: list[str] = Field(default_factory=list)
    noise: list[str] = Field(default_factory=list)


class RoleRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    departments: dict[Function, Department] = Field(default_factory=dict)
    levels: Levels = Field(default_factory=Levels)
    abbreviations: dict[str, str] = Field(default_factory=dict)


_NON_WORD = re.compile(r"[^a-z0-9&]+")


def fold_title(text: str) -> list[str]:
    """Folded tokens of a title: 'Satınalma Müdürü (acting)' → ['satinalma', 'muduru', 'acting']."""
    folded = ascii_fold(text).replace("r&d", "rd").replace("r & d", "rd").replace("&", " & ")
    return [t for t in _NON_WORD.split(folded) if t]


class Match(tuple[str, str]):
    """(category, value): ('dept', 'procurement'), ('head', 'muduru'), ('worker', 'engineering')…"""


class Compiled:
    """Phrases by their token tuple, plus compound prefixes/suffixes, ready for a scan."""

    def __init__(self, rules: RoleRules) -> None:
        self.rules = rules
        self.kind = {f: d.kind for f, d in rules.departments.items()}
        self.phrases: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}
        levels = rules.levels
        # later entries never replace earlier ones: departments first, then levels
        for function, dept in rules.departments.items():
            for word in dept.words:
                # "account manager:head" names the department and the level in one phrase
                phrase, _, level = word.partition(":")
                extra = ((level, ""),) if level else ()
                self._add(phrase, ("dept", function.value), *extra)
        for word in levels.assistant_to:
            self._add(word, ("assistant", ""))
        for word in levels.company_head:
            self._add(word, ("company_head", ""))
        for acronym, function in levels.c_level.items():
            self._add(acronym, ("c_level", function.value))
        for word in levels.head:
            self._add(word, ("head", ""))
        for word, function in levels.worker.items():
            self._add(word, ("worker", function.value))
        for word in levels.generic:
            self._add(word, ("generic", ""))
        self.noise = {t for w in levels.noise for t in fold_title(w)}
        self.abbreviations = {ascii_fold(k): fold_title(v) for k, v in rules.abbreviations.items()}
        self.dept_prefixes = sorted(
            ((ascii_fold(p), f.value) for f, d in rules.departments.items() for p in d.prefixes),
            key=lambda item: -len(item[0]),
        )
        self.head_suffixes = tuple(ascii_fold(s) for s in levels.head_suffixes)
        self.worker_suffixes = sorted(
            ((ascii_fold(s), f.value) for s, f in levels.worker_suffixes.items()),
            key=lambda i: -len(i[0]),
        )
        self.longest = max((len(p) for p in self.phrases), default=1)

    def _add(self, phrase: str, *values: tuple[str, str]) -> None:
        key = tuple(fold_title(phrase))
        if key:
            self.phrases.setdefault(key, values)


def _read(path: Path) -> RoleRules:
    try:
        return RoleRules.model_validate(load_toml(path))
    except ValidationError as exc:
        raise MappingError(f"{path}: {exc}") from exc


def load_role_rules(extra: Path | None = None) -> RoleRules:
    """The shipped rules with an admin's file merged on top (lists extended, maps updated)."""
    base = _read(mappings_dir() / "roles.toml")
    if extra is None:
        return base
    more = _read(extra)
    for function, dept in more.departments.items():
        mine = base.departments.get(function)
        if mine is None:
            base.departments[function] = dept
        else:
            mine.words.extend(dept.words)
            mine.prefixes.extend(dept.prefixes)
    for name in ("company_head", "head", "head_suffixes", "generic", "assistant_to", "noise"):
        getattr(base.levels, name).extend(getattr(more.levels, name))
    for name in ("c_level", "worker", "worker_suffixes"):
        getattr(base.levels, name).update(getattr(more.levels, name))
    base.abbreviations.update(more.abbreviations)
    return base


def compile_rules(extra: Path | None = None) -> Compiled:
    return Compiled(load_role_rules(extra))
