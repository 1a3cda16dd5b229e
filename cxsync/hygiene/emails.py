"""Classifying email addresses: a real person's mailbox, a shared one, or not an address.

Syntax is checked with email-validator (no DNS unless asked). Because a real CRM repeats a
few domains across many contacts, the domain is validated once per domain (cached) and a
plain ASCII local part is checked against RFC 5322's dot-atom form directly; anything
unusual (quoted or international local parts) goes through email-validator whole.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from cxsync.hygiene.rules import MailboxRules, load_rules
from cxsync.models import EmailVerdict, Verdict
from cxsync.text import ascii_fold, turkish_lower

__all__ = ["EmailClassifier", "normalize_email"]

_DOT_ATOM = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_SPLIT = re.compile(r"[._\-]+|(?<=\D)(?=\d)|(?<=\d)(?=\D)")
_LANGUAGES = {
    "en": "English",
    "tr": "Turkish",
    "de": "German",
    "es": "Spanish",
    "fr": "French",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
}


# Large enough for every company domain of a large CRM (a few hundred bytes each): an
# export ordered by contact id cycles through all accounts' domains, and a cache smaller
# than that misses on every contact (validating a domain costs ~100 µs).
@lru_cache(maxsize=1 << 18)
def _domain(domain: str, deliverability: bool) -> tuple[str | None, str | None]:
    """(normalised domain, None) or (None, why it is not valid)."""
    try:
        result = validate_email(f"x@{domain}", check_deliverability=deliverability)
    except EmailNotValidError as exc:
        return None, str(exc).replace("after the @-sign", "domain")
    return result.domain.lower(), None


def _validate(address: str, deliverability: bool) -> tuple[str | None, str | None]:
    """(normalised address, None) or (None, reason)."""
    if address.count("@") == 0:
        return None, "no @-sign"
    local, _, domain = address.rpartition("@")
    if not local:
        return None, "nothing before the @-sign"
    if not domain:
        return None, "nothing after the @-sign"
    if local.isascii() and _DOT_ATOM.match(local) and len(local) <= 64:
        norm_domain, problem = _domain(domain, deliverability)
        if problem:
            return None, problem
        normalized = f"{local.lower()}@{norm_domain}"
        if len(normalized) > 254:
            return None, "the address is longer than 254 characters"
        return normalized, None
    try:
        result = validate_email(address, check_deliverability=deliverability, allow_smtputf8=True)
    except EmailNotValidError as exc:
        return None, str(exc)
    local_part, _, dom = result.normalized.rpartition("@")
    return f"{turkish_lower(local_part)}@{dom.lower()}", None


def normalize_email(address: str) -> str | None:
    """Trimmed, lower-cased, IDN domain in Unicode; None when not a valid address."""
    normalized, _ = _validate(address.strip(), False)
    return normalized


class EmailClassifier:
    """Classifies addresses with the shipped vocabulary plus an admin's overrides."""

    def __init__(self, rules: MailboxRules, *, check_deliverability: bool = False) -> None:
        self.rules = rules
        self.check_deliverability = check_deliverability
        from disposable_email_domains import blocklist

        self._disposable = set(blocklist) | rules.disposable
        # candidate words for compound splitting, found by their first four letters
        self._by_prefix: dict[str, list[str]] = {}
        for word in rules.prefix_words:
            self._by_prefix.setdefault(word[:4], []).append(word)

    @classmethod
    def from_mappings(
        cls, extra: Path | None = None, *, check_deliverability: bool = False
    ) -> EmailClassifier:
        return cls(load_rules(extra), check_deliverability=check_deliverability)

    def classify(self, address: str) -> EmailVerdict:
        raw = address if isinstance(address, str) else ""
        text = raw.strip()
        if not text:
            return EmailVerdict(
                email=raw, verdict=Verdict.INVALID, reason="empty address", rule="syntax"
            )
        normalized, problem = _validate(text, self.check_deliverability)
        if normalized is None:
            return EmailVerdict(
                email=raw,
                verdict=Verdict.INVALID,
                reason=f"not a valid address: {problem}",
                rule="syntax",
            )
        domain = normalized.rpartition("@")[2]
        flags = {
            "free_mail": domain in self.rules.free_mail,
            "disposable": domain in self._disposable,
        }
        if normalized in self.rules.allow:
            return EmailVerdict(
                email=raw,
                normalized=normalized,
                verdict=Verdict.PERSON,
                reason="allow-listed address",
                rule="allow",
                **flags,
            )
        verdict, reason, rule = self._local_part(normalized.rpartition("@")[0])
        return EmailVerdict(
            email=raw, normalized=normalized, verdict=verdict, reason=reason, rule=rule, **flags
        )

    def _local_part(self, local: str) -> tuple[Verdict, str, str]:
        """Generic when the local part, minus qualifiers (regions, numbers, single letters,
        "team"…), is made only of shared-mailbox words; person otherwise."""
        rules = self.rules
        tokens = [t for t in _SPLIT.split(ascii_fold(local).split("+", 1)[0]) if t]
        core = [t for t in tokens if not (t.isdigit() or len(t) == 1 or t in rules.qualifiers)]
        core = core or tokens
        joined = "".join(core)
        if joined in rules.noreply:
            return Verdict.GENERIC, f"no-reply mailbox ('{local}')", "noreply"
        generic_word: str | None = None
        if len(joined) >= 6 and joined in rules.language:
            generic_word = joined  # a compound written with separators: insan.kaynaklari
        else:
            first = None
            for token in core:  # stops at the first token that is not a mailbox word
                word = token if token in rules.language else self._compound(token)
                if word is None:
                    first = None
                    break
                first = first or word
            generic_word = first
        if generic_word is not None:
            language = _LANGUAGES.get(rules.language.get(generic_word, ""), "")
            kind = f"{_article(language)} {language} word" if language else "a word"
            return (
                Verdict.GENERIC,
                f"shared mailbox: '{generic_word}' is {kind} for a department or function, "
                "not a person",
                "generic_word",
            )
        return Verdict.PERSON, "a person's mailbox (no shared-mailbox word)", "person"

    def _compound(self, token: str) -> str | None:
        """'infotr' → 'info', 'salesteam' → 'sales': a long generic word plus qualifiers."""
        for word in self._by_prefix.get(token[:4], ()):
            if token.startswith(word) and token != word:
                rest = token[len(word) :]
                if rest.isdigit() or rest in self.rules.qualifiers or rest in self.rules.language:
                    return word
        return None


def _article(language: str) -> str:
    return "an" if language[:1] in "AEIOU" else "a"
