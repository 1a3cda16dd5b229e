"""The mailbox vocabulary (mappings/mailboxes.toml plus an admin's overrides), validated."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cxsync.errors import MappingError
from cxsync.resources import load_toml, mappings_dir
from cxsync.text import ascii_fold

__all__ = ["MailboxRules", "load_rules"]


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    generic: dict[str, list[str]] = Field(default_factory=dict)
    noreply: list[str] = Field(default_factory=list)
    qualifiers: list[str] = Field(default_factory=list)
    free_mail: list[str] = Field(default_factory=list)
    disposable: list[str] = Field(default_factory=list)
    allow: list[str] = Field(default_factory=list)
    remove: list[str] = Field(default_factory=list, description="generic words to drop")


class MailboxRules:
    """Folded word sets ready for matching; ``language`` names where each word came from."""

    def __init__(self, files: list[_File]) -> None:
        self.language: dict[str, str] = {}
        self.noreply: set[str] = set()
        self.qualifiers: set[str] = set()
        self.free_mail: set[str] = set()
        self.disposable: set[str] = set()
        self.allow: set[str] = set()
        removed: set[str] = set()
        for f in files:
            for lang, words in f.generic.items():
                for word in words:
                    self.language.setdefault(_norm(word), lang)
            self.noreply.update(_norm(w) for w in f.noreply)
            self.qualifiers.update(_norm(w) for w in f.qualifiers)
            self.free_mail.update(d.strip().lower() for d in f.free_mail)
            self.disposable.update(d.strip().lower() for d in f.disposable)
            self.allow.update(a.strip().lower() for a in f.allow)
            removed.update(_norm(w) for w in f.remove)
        for word in removed:
            self.language.pop(word, None)
            self.noreply.discard(word)
        # compounds like "infotr" / "salesteam" are split only on words long enough that a
        # name is unlikely to start with them
        self.prefix_words = sorted((w for w in self.language if len(w) >= 4), key=len, reverse=True)


def _norm(word: str) -> str:
    return ascii_fold(word).replace("-", "").replace("_", "").replace(".", "").strip()


def _read(path: Path) -> _File:
    try:
        return _File.model_validate(load_toml(path))
    except ValidationError as exc:
        raise MappingError(f"{path}: {exc}") from exc


def load_rules(extra: Path | None = None) -> MailboxRules:
    files = [_read(mappings_dir() / "mailboxes.toml")]
    if extra is not None:
        files.append(_read(extra))
    return MailboxRules(files)
