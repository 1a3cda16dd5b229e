"""Scores, timestamps, metric/channel spellings and scales."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cxsync.errors import MappingError
from cxsync.feedback import Scales, load_scales
from cxsync.feedback.values import DateOrder, parse_datetime, parse_number, timezone_named
from cxsync.feedback.vocab import parse_channel, parse_flag, parse_metric
from cxsync.models import Channel, Metric

ISTANBUL = timezone_named("Europe/Istanbul")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9", 9.0),
        ("9,0", 9.0),
        ("9.0", 9.0),
        (" 4,5 ", 4.5),
        ("-1", -1.0),
        ("ten", None),
        ("9/10", None),
        ("1.000,5", None),
        ("nan", None),
        ("", None),
    ],
    ids=[
        "int",
        "decimal-comma",
        "decimal-dot",
        "padded",
        "negative",
        "word",
        "fraction",
        "thousands",
        "nan",
        "empty",
    ],
)
def test_parse_number(text: str, expected: float | None) -> None:
    assert parse_number(text) == expected


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2026-11-23T14:05:00+03:00", "auto", _utc(2026, 11, 23, 11, 5)),
        ("2026-11-23T14:05:00Z", "auto", _utc(2026, 11, 23, 14, 5)),
        ("2026-11-23", "auto", _utc(2026, 11, 23)),
        ("23.11.2026 14:05", "auto", _utc(2026, 11, 23, 14, 5)),
        ("11/23/2026 2:05 PM", "auto", _utc(2026, 11, 23, 14, 5)),
        ("23/11/2026", "auto", _utc(2026, 11, 23)),
        ("01/02/2026", "auto", _utc(2026, 1, 2)),
        ("01/02/2026", "dmy", _utc(2026, 2, 1)),
        ("46349.58", "auto", _utc(2026, 11, 23, 13, 55, 12)),
        ("46349,58", "auto", _utc(2026, 11, 23, 13, 55, 12)),
        ("1795442700000", "auto", _utc(2026, 11, 23, 14, 5)),
        ("1795442700", "auto", _utc(2026, 11, 23, 14, 5)),
        ("Mon, 23 Nov 2026 14:05:00 +0100", "auto", _utc(2026, 11, 23, 13, 5)),
        ("23-11-2026 14:05:30", "auto", _utc(2026, 11, 23, 14, 5, 30)),
        ("11/23/2026 12:05 AM", "auto", _utc(2026, 11, 23, 0, 5)),
        ("11/23/2026 12:05 pm", "auto", _utc(2026, 11, 23, 12, 5)),
    ],
    ids=[
        "iso-offset",
        "iso-z",
        "date-only",
        "dotted-dmy",
        "us-ampm",
        "slash-day-over-12",
        "slash-ambiguous-mdy",
        "slash-configured-dmy",
        "excel-serial",
        "excel-decimal-comma",
        "epoch-ms",
        "epoch-s",
        "rfc2822",
        "dashed-seconds",
        "midnight-am",
        "noon-pm",
    ],
)
def test_parse_datetime_formats(text: str, order: DateOrder, expected: datetime) -> None:
    assert parse_datetime(text, order=order) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "is empty"),
        ("yesterday", "is not a date"),
        ("2026-13-45", "is not a date in a known format"),
        ("9", "is a number but neither an Excel date nor a Unix time"),
        ("31.02.2026", "is not a date in a known format"),
        ("11/23/2026 13:05 PM", "is not a date in a known format"),
        ("23.11.2026 25:00", "is not a date in a known format"),
    ],
    ids=["empty", "word", "impossible", "small-number", "feb-31", "13-pm", "hour-25"],
)
def test_parse_datetime_reasons(text: str, reason: str) -> None:
    assert parse_datetime(text) == reason


def test_naive_times_use_the_default_zone() -> None:
    assert parse_datetime("23.11.2026 14:05", default_tz=ISTANBUL) == _utc(2026, 11, 23, 11, 5)
    assert parse_datetime("46349.5", default_tz=ISTANBUL) == _utc(2026, 11, 23, 9)
    # an explicit offset is never overridden
    assert parse_datetime("2026-11-23T14:05:00Z", default_tz=ISTANBUL) == _utc(2026, 11, 23, 14, 5)


def test_unknown_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="Mars/Olympus"):
        timezone_named("Mars/Olympus")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NPS", Metric.NPS),
        ("Net Promoter Score", Metric.NPS),
        ("csat", Metric.CSAT),
        ("Müşteri Memnuniyeti", Metric.CSAT),
        ("Customer Effort", Metric.CES),
        ("customer-effort-score", Metric.CES),
        ("mutluluk", Metric.HAPPINESS),
        ("HAPPINESS", Metric.HAPPINESS),
        ("loyalty", None),
    ],
    ids=[
        "NPS",
        "long-nps",
        "csat",
        "turkish-csat",
        "ces",
        "ces-dashes",
        "mutluluk",
        "upper",
        "unknown",
    ],
)
def test_metric_spellings(text: str, expected: Metric | None) -> None:
    assert parse_metric(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("e-posta", Channel.EMAIL),
        ("E-Mail", Channel.EMAIL),
        ("ziyaret", Channel.VISIT),
        ("Telefon", Channel.CALL),
        ("TOPLANTI", Channel.MEETING),
        ("toplantı", Channel.MEETING),
        ("sms", Channel.SMS),
        ("carrier pigeon", None),
    ],
    ids=[
        "e-posta",
        "E-Mail",
        "ziyaret",
        "telefon",
        "TOPLANTI",
        "toplanti-dotless",
        "sms",
        "unknown",
    ],
)
def test_channel_spellings(text: str, expected: Channel | None) -> None:
    assert parse_channel(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("evet", True),
        ("Yes", True),
        ("x", True),
        ("1", True),
        ("Hayır", False),
        ("no", False),
        ("0", False),
        ("maybe", None),
    ],
    ids=["evet", "yes", "x", "one", "hayir", "no", "zero", "maybe"],
)
def test_flags(text: str, expected: bool | None) -> None:
    assert parse_flag(text) is expected


@pytest.mark.parametrize(
    ("metric", "score", "problem"),
    [
        (Metric.NPS, 0, None),
        (Metric.NPS, 10, None),
        (Metric.NPS, 11, "must be between 0 and 10"),
        (Metric.NPS, -1, "must be between 0 and 10"),
        (Metric.NPS, 3.5, "must be a whole number from 0 to 10"),
        (Metric.CSAT, 0, "must be between 1 and 5"),
        (Metric.CSAT, 4.5, None),
        (Metric.CES, 7, None),
        (Metric.CES, 8, "must be between 1 and 7"),
        (Metric.HAPPINESS, 6, "must be between 1 and 5"),
    ],
    ids=[
        "nps-0",
        "nps-10",
        "nps-11",
        "nps-neg",
        "nps-fraction",
        "csat-0",
        "csat-half",
        "ces-7",
        "ces-8",
        "happiness-6",
    ],
)
def test_shipped_scales(metric: Metric, score: float, problem: str | None) -> None:
    assert load_scales().for_metric(metric).problem(score) == problem


def test_scales_are_configurable(tmp_path: Path) -> None:
    path = tmp_path / "scales.toml"
    path.write_text("[csat]\nmin = 1\nmax = 10\ninteger = true\n")
    scales = load_scales(path)
    assert scales.csat.problem(9) is None
    assert scales.nps == Scales().nps


def test_bad_scales_file_named(tmp_path: Path) -> None:
    path = tmp_path / "scales.toml"
    path.write_text("[nps]\nmin = 10\nmax = 0\n")
    with pytest.raises(MappingError, match=r"scales\.toml"):
        load_scales(path)
