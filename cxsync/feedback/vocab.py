"""The words people use for metrics, channels and yes/no, in English and Turkish.

Survey tools and account managers spell the same thing many ways ("NPS", "Net Promoter
Score", "tavsiye"; "e-posta", "E-mail"). Every spelling is folded (case, accents, Turkish
dotless i, punctuation) before it is looked up, so one alias covers its variants.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TypeVar

from cxsync.models import Channel, Metric

__all__ = ["fold", "parse_channel", "parse_flag", "parse_metric"]

_T = TypeVar("_T")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")

_METRIC_ALIASES: dict[Metric, tuple[str, ...]] = {
    Metric.NPS: (
        "nps",
        "net promoter",
        "net promoter score",
        "promoter score",
        "recommend",
        "likelihood to recommend",
        "tavsiye",
        "tavsiye skoru",
        "oneri",
        "net tavsiye skoru",
    ),
    Metric.CSAT: (
        "csat",
        "customer satisfaction",
        "customer satisfaction score",
        "satisfaction",
        "memnuniyet",
        "musteri memnuniyeti",
        "memnuniyet skoru",
    ),
    Metric.CES: (
        "ces",
        "customer effort",
        "customer effort score",
        "effort",
        "effort score",
        "kolaylik",
        "musteri eforu",
        "efor",
    ),
    Metric.HAPPINESS: ("happiness", "happy", "mutluluk", "mutlu", "smiley", "mood"),
}

_CHANNEL_ALIASES: dict[Channel, tuple[str, ...]] = {
    Channel.EMAIL: ("email", "e mail", "mail", "e posta", "eposta", "posta"),
    Channel.SMS: ("sms", "text", "text message", "mesaj", "kisa mesaj"),
    Channel.VISIT: ("visit", "site visit", "ziyaret", "saha ziyareti", "musteri ziyareti"),
    Channel.CALL: ("call", "phone", "phone call", "telefon", "arama", "telefon gorusmesi"),
    Channel.MEETING: ("meeting", "toplanti", "gorusme", "video call", "online meeting"),
    Channel.WEB: (
        "web",
        "online",
        "website",
        "form",
        "web form",
        "link",
        "survey link",
        "anonymous",
        "gl",
        "qr",
    ),
    Channel.OTHER: ("other", "diger", "unknown"),
}

_TRUE = frozenset({"1", "true", "yes", "y", "x", "evet", "e", "var", "action required"})
_FALSE = frozenset({"0", "false", "no", "n", "hayir", "h", "yok", "none"})


@lru_cache(maxsize=4096)  # the same few labels and headers repeat on every row
def fold(text: str) -> str:
    """Fold a label for lookup: lower case, no accents, words joined by single spaces.

    Examples: ``"Toplantı"`` → ``"toplanti"``, ``"E-Posta"`` → ``"e posta"``.
    """
    text = text.replace("ı", "i").replace("İ", "I")
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_ALNUM.sub(" ", plain.casefold()).strip()


def _index(aliases: dict[_T, tuple[str, ...]]) -> dict[str, _T]:
    out: dict[str, _T] = {}
    for value, spellings in aliases.items():
        for spelling in spellings:
            out[fold(spelling)] = value
    return out


_METRICS = _index(_METRIC_ALIASES)
_CHANNELS = _index(_CHANNEL_ALIASES)


def parse_metric(text: str) -> Metric | None:
    """The metric a label names (``"Customer Effort"`` → CES), or None if unknown."""
    return _METRICS.get(fold(text))


def parse_channel(text: str) -> Channel | None:
    """The channel a label names (``"ziyaret"`` → visit), or None if unknown."""
    return _CHANNELS.get(fold(text))


def parse_flag(text: str) -> bool | None:
    """A yes/no cell (``"evet"``, ``"x"``, ``"0"``…) as a bool, or None if unreadable."""
    folded = fold(text)
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    return None
