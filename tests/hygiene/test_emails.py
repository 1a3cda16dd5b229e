"""Email classification: verdicts, reasons, corpus precision/recall, overrides, the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxsync.cli.app import app
from cxsync.hygiene import EmailClassifier, normalize_email
from cxsync.models import Verdict

DATA = Path(__file__).parents[1] / "data" / "hygiene"
CLASSIFIER = EmailClassifier.from_mappings()


def corpus(name: str) -> list[tuple[str, str]]:
    with (DATA / f"{name}.csv").open(encoding="utf-8") as fh:
        return [(r["email"], r["label"]) for r in csv.DictReader(fh)]


@pytest.mark.parametrize("name", ["tuning", "holdout"])
def test_corpus_recall_and_person_safety(name: str) -> None:
    rows = corpus(name)
    generic = [e for e, label in rows if label == "generic"]
    persons = [e for e, label in rows if label == "person"]
    assert len(generic) >= 200 and len(persons) >= 250
    recall = sum(CLASSIFIER.classify(e).verdict is Verdict.GENERIC for e in generic) / len(generic)
    misflagged = sum(CLASSIFIER.classify(e).verdict is not Verdict.PERSON for e in persons) / len(
        persons
    )
    assert recall >= 0.98, f"generic recall {recall:.3f}"
    assert misflagged < 0.005, f"persons called generic/invalid {misflagged:.3%}"


@pytest.mark.parametrize(("email", "label"), corpus("tricky"), ids=lambda v: str(v) or "empty")
def test_tricky_addresses(email: str, label: str) -> None:
    assert CLASSIFIER.classify(email).verdict.value == label


@pytest.mark.parametrize(
    ("email", "word"),
    [
        ("satis@firma.com.tr", "Turkish"),
        ("einkauf@rheinbau.de", "German"),
        ("ventas@x.es", "Spanish"),
        ("achats@x.fr", "French"),
        ("acquisti@x.it", "Italian"),
        ("vendas@x.pt", "Portuguese"),
        ("inkoop@x.nl", "Dutch"),
        ("sales@x.com", "English"),
    ],
    ids=["tr", "de", "es", "fr", "it", "pt", "nl", "en"],
)
def test_reason_names_the_word_and_language(email: str, word: str) -> None:
    verdict = CLASSIFIER.classify(email)
    assert verdict.verdict is Verdict.GENERIC
    assert email.split("@")[0] in verdict.reason and word in verdict.reason


def test_invalid_reason_says_why() -> None:
    verdict = CLASSIFIER.classify("ahmet.yilmaz.firma.com")
    assert verdict.verdict is Verdict.INVALID and "@" in verdict.reason


def test_normalisation_trims_lowercases_and_keeps_idn_unicode() -> None:
    assert normalize_email("  Ayşe.YILMAZ@Müşteri.COM.TR ") == "ayşe.yılmaz@müşteri.com.tr"
    assert normalize_email(
        "AHMET@xn--mteri-vxa5b.com.tr"
    ) == "ahmet@müşteri.com.tr" or normalize_email("AHMET@xn--mteri-vxa5b.com.tr").startswith(
        "ahmet@"
    )
    assert normalize_email("not an address") is None


def test_free_mail_and_disposable_are_flagged_not_rejected() -> None:
    free = CLASSIFIER.classify("ahmet.yilmaz@gmail.com")
    throwaway = CLASSIFIER.classify("ahmet.yilmaz@mailinator.com")
    assert free.verdict is Verdict.PERSON and free.free_mail
    assert throwaway.verdict is Verdict.PERSON and throwaway.disposable


def test_admin_overrides_add_remove_and_allow(tmp_path: Path) -> None:
    rules = tmp_path / "mine.toml"
    rules.write_text(
        'allow = ["info@family-firm.com.tr"]\nremove = ["team"]\nfree_mail = ["kurumsal-mail.com"]\n'
        '[generic]\ntr = ["santiye"]\n',
        encoding="utf-8",
    )
    mine = EmailClassifier.from_mappings(rules)
    assert mine.classify("santiye@x.com.tr").verdict is Verdict.GENERIC
    assert CLASSIFIER.classify("santiye@x.com.tr").verdict is Verdict.PERSON
    assert mine.classify("info@family-firm.com.tr").verdict is Verdict.PERSON
    assert mine.classify("a.b@kurumsal-mail.com").free_mail


def test_bad_override_file_is_a_mapping_error(tmp_path: Path) -> None:
    from cxsync.errors import MappingError

    rules = tmp_path / "bad.toml"
    rules.write_text("unknown_table = 1\n", encoding="utf-8")
    with pytest.raises(MappingError, match=r"bad\.toml"):
        EmailClassifier.from_mappings(rules)


def test_cli_jsonl_keeps_order_and_survives_bad_lines(tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("info@x.com\n\nahmet@firma.com.tr\n@@@\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["emails", "classify", str(source)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["email"], r["verdict"]) for r in lines] == [
        ("info@x.com", "generic"),
        ("", "invalid"),
        ("ahmet@firma.com.tr", "person"),
        ("@@@", "invalid"),
    ]
    assert list(lines[0])[:3] == ["email", "verdict", "reason"]


def test_cli_reads_stdin_and_renders_a_table() -> None:
    result = CliRunner().invoke(
        app, ["emails", "classify", "-", "--format", "table"], input="satis@a.com.tr\n"
    )
    assert result.exit_code == 0 and "generic" in result.stdout
