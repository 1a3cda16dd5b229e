"""Reading buying roles, function and seniority from a job title (docs/roles.md).

A title is folded into tokens, abbreviations are expanded and noise dropped, then one
left-to-right scan matches the longest known phrase at each position (so "business
development" is sales, not engineering), compound German words are split by known
prefixes and endings (Einkaufs|leiter), and a one-letter slip in a long department word
is forgiven (Satinalam → satinalma). Connectors (&, and, ve, und) split combined titles,
whose roles are joined in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from cxsync.models import BuyingRole, Function, RoleSource, RoleTag
from cxsync.roles.personas import persona_for
from cxsync.roles.rules import Compiled, compile_rules, fold_title

__all__ = ["RoleTagger"]

_CONNECTORS = {"&", "and", "ve", "und", "et", "y", "e"}
_EXTRA_ROLE = {
    "finance": BuyingRole.APPROVER,
    "procurement": BuyingRole.APPROVER,
    "it": BuyingRole.INFLUENCER,
    "legal": BuyingRole.INFLUENCER,
    "quality": BuyingRole.INFLUENCER,
}

Reading = tuple[
    tuple[BuyingRole, ...], str | None, str | None, str
]  # roles, function, seniority, rule


class RoleTagger:
    """Tags titles with the shipped rules plus an admin's additions."""

    def __init__(self, compiled: Compiled) -> None:
        self.compiled = compiled
        self._fuzzy = _deletion_index(
            p[0]
            for p, v in compiled.phrases.items()
            if len(p) == 1 and v[0][0] == "dept" and len(p[0]) >= 6
        )
        self._read = lru_cache(maxsize=200_000)(self._read_tokens)
        # CRMs repeat the same title strings many times: the finished tag is cached too
        self._tag = lru_cache(maxsize=200_000)(self._tag_text)

    @classmethod
    def from_mappings(cls, extra: Path | None = None) -> RoleTagger:
        return cls(compile_rules(extra))

    def tag(self, title: str) -> RoleTag:
        """Roles (most specific first), function, seniority, persona and the rule used."""
        return self._tag(title if isinstance(title, str) else "")

    def _tag_text(self, text: str) -> RoleTag:
        roles, function, seniority, rule = self._read(tuple(fold_title(text)))
        tag = RoleTag(
            title=text,
            roles=roles,
            function=Function(function) if function else None,
            seniority=seniority,
            rule=rule,
            source=RoleSource.INFERRED if roles else RoleSource.NONE,
        )
        persona = persona_for(tag)
        return tag.model_copy(update={"persona": persona}) if persona else tag

    # scanning ---------------------------------------------------------------------------
    def _expand(self, tokens: Sequence[str]) -> list[str]:
        c = self.compiled
        out: list[str] = []
        for token in tokens:
            out.extend(c.abbreviations.get(token, (token,)))
        return [t for t in out if t not in c.noise]

    def _scan(self, tokens: list[str]) -> list[list[tuple[str, str]]]:
        """Matches per part of the title (parts split at connectors)."""
        c = self.compiled
        parts: list[list[tuple[str, str]]] = [[]]
        i = 0
        while i < len(tokens):
            for size in range(min(c.longest, len(tokens) - i), 0, -1):
                found = c.phrases.get(tuple(tokens[i : i + size]))
                if found is not None:
                    parts[-1].extend(found)
                    i += size
                    break
            else:
                token = tokens[i]
                if token in _CONNECTORS:
                    parts.append([])
                else:
                    parts[-1].extend(self._compound(token))
                i += 1
        return [p for p in parts if p]

    def _compound(self, token: str) -> list[tuple[str, str]]:
        c = self.compiled
        if token.startswith("ober") and len(token) > 7:  # Oberbauleiter, Oberingenieur
            token = token[4:]
            if (token,) in c.phrases:
                return list(c.phrases[(token,)])
        found: list[tuple[str, str]] = []
        rest = token
        for prefix, function in c.dept_prefixes:
            if token.startswith(prefix) and len(token) > len(prefix):
                found.append(("dept", function))
                rest = token[len(prefix) :]
                break
        if rest.endswith(c.head_suffixes):
            found.append(("head", ""))
        else:
            for suffix, function in c.worker_suffixes:
                if rest.endswith(suffix):
                    found.append(("worker", function))
                    break
        if not found and len(token) >= 6:
            word = next((self._fuzzy[v] for v in _deletes(token) if v in self._fuzzy), None)
            if word is not None:
                found.extend(c.phrases[(word,)])
        return found

    # deciding ---------------------------------------------------------------------------
    def _read_tokens(self, tokens: tuple[str, ...]) -> Reading:
        expanded = self._expand(tokens)
        if not expanded:
            return ((), None, None, "empty title")
        parts = self._scan(expanded)
        if not parts:
            return ((), None, None, "no known word in the title")
        readings = [self._decide(p, expanded) for p in parts]
        roles: list[BuyingRole] = []
        for reading in readings:
            roles.extend(r for r in reading[0] if r not in roles)
        function = next((r[1] for r in readings if r[1]), None)
        rule = " + ".join(r[3] for r in readings)
        return (tuple(roles), function, readings[0][2], rule)

    def _decide(self, matches: list[tuple[str, str]], tokens: list[str]) -> Reading:
        cats = [cat for cat, _ in matches]
        first = {cat: value for cat, value in reversed(matches)}
        has_head = "head" in cats
        if "assistant" in cats:
            return ((), Function.OTHER.value, "assistant", "an assistant: no buying role")
        c_level = first.get("c_level")
        officer = "chief" in tokens and "officer" in tokens
        if c_level is None and officer and tokens.index("chief") < tokens.index("officer"):
            c_level = first.get("dept", Function.EXECUTIVE.value)
        if c_level is not None:
            extra = _EXTRA_ROLE.get(c_level)
            roles = (BuyingRole.DECISION_MAKER, extra) if extra else (BuyingRole.DECISION_MAKER,)
            return (roles, c_level, "c_level", "C-level officer decides")
        dept = first.get("dept")
        if dept is not None:
            head = has_head or "company_head" in cats
            return self._department(dept, head, cats)
        if "company_head" in cats:
            return (
                (BuyingRole.DECISION_MAKER,),
                Function.EXECUTIVE.value,
                "executive",
                "heads the company: decides",
            )
        worker = first.get("worker")
        if worker is not None and worker != Function.OTHER.value:
            return self._department(worker, has_head, cats)
        if "generic" in cats or has_head or worker is not None:
            return (
                (),
                Function.OTHER.value,
                "head" if has_head else None,
                "no department: no role rather than a guess",
            )
        return ((), None, None, "no known word in the title")

    def _department(self, dept: str, head: bool, cats: list[str]) -> Reading:
        kind = self.compiled.kind.get(Function(dept), "line")
        seniority = (
            "head"
            if head
            else ("individual" if "worker" in cats else ("staff" if "generic" in cats else None))
        )
        if kind == "approver":
            return ((BuyingRole.APPROVER,), dept, seniority, f"{dept} signs off: approver")
        if kind == "influencer":
            return ((BuyingRole.INFLUENCER,), dept, seniority, f"{dept} is consulted: influencer")
        if kind == "none":
            return ((), dept, seniority, f"{dept}: no buying role")
        if kind == "expert":
            if head:
                return ((BuyingRole.INFLUENCER,), dept, seniority, f"{dept} lead: influencer")
            return ((BuyingRole.END_USER,), dept, seniority, f"{dept} individual: end user")
        if head:
            return ((BuyingRole.REQUESTER,), dept, seniority, f"runs a {dept} unit: requester")
        return ((BuyingRole.END_USER,), dept, seniority, f"works in a {dept} unit: end user")


def _deletes(word: str) -> list[str]:
    return [word, *(word[:i] + word[i + 1 :] for i in range(len(word)))]


def _deletion_index(words: object) -> dict[str, str]:
    index: dict[str, str] = {}
    for word in words:  # type: ignore[attr-defined]
        for variant in _deletes(word):
            index.setdefault(variant, word)
    return index
