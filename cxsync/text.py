"""Folding text for matching: lower case that is right for Turkish, and letters to ASCII."""

from __future__ import annotations

__all__ = ["ascii_fold", "turkish_lower"]

_TURKISH_UPPER = str.maketrans({"İ": "i", "I": "ı"})
_TO_ASCII = str.maketrans(
    {
        "ç": "c",
        "ğ": "g",
        "ı": "i",
        "ö": "o",
        "ş": "s",
        "ü": "u",
        "â": "a",
        "î": "i",
        "û": "u",
        "ä": "a",
        "ß": "ss",
        "é": "e",
        "è": "e",
        "ê": "e",
        "ë": "e",
        "á": "a",
        "à": "a",
        "ã": "a",
        "ó": "o",
        "ò": "o",
        "õ": "o",
        "ô": "o",
        "ú": "u",
        "ù": "u",
        "í": "i",
        "ì": "i",
        "ñ": "n",
        "å": "a",
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
    }
)


def turkish_lower(text: str) -> str:
    """Lower case with Turkish dotted/dotless I handled (``str.lower`` turns İ into i̇)."""
    return text.translate(_TURKISH_UPPER).lower()


def ascii_fold(text: str) -> str:
    """Lower case, then Turkish and other Latin letters to their ASCII base."""
    return turkish_lower(text).translate(_TO_ASCII)
