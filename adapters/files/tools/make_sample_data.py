"""Generate cxsync's bundled sample data (cxsync/sample_data/) deterministically.

A construction power-tools maker and its customers: construction and industrial companies
and dealers in Turkey and Germany, with the people in every buying seat, some shared
mailboxes, duplicates and stale records, survey responses across journey phases, field
notes from visits and calls, a few deliberately bad rows, and one Windows-1254 file.

    python adapters/files/tools/make_sample_data.py [OUT_DIR]
"""

from __future__ import annotations

import csv
import json
import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

OUT = (
    Path(sys.argv[1])
    if len(sys.argv) > 1
    else Path(__file__).resolve().parents[3] / "cxsync" / "sample_data"
)
RNG = random.Random(20261101)
TR = timezone(timedelta(hours=3))
BERLIN = timezone(timedelta(hours=1))
REFERENCE = datetime(2026, 11, 1, 12, 0, tzinfo=TR)

ACCOUNTS = [
    # id, name, segment, country, domain, mood (how happy they are)
    ("TR-001", "Boğaziçi Yapı A.Ş.", "construction", "TR", "bogaziciyapi.com.tr", "happy"),
    (
        "TR-002",
        "Anadolu Altyapı İnşaat A.Ş.",
        "construction",
        "TR",
        "anadolualtyapi.com.tr",
        "mixed",
    ),
    ("TR-003", "Ege Konut Yapı Ltd. Şti.", "construction", "TR", "egekonut.com.tr", "happy"),
    (
        "TR-004",
        "Karadeniz Tünel İnşaat A.Ş.",
        "construction",
        "TR",
        "karadeniztunel.com.tr",
        "unhappy",
    ),
    ("TR-005", "Toros Baraj ve Enerji A.Ş.", "construction", "TR", "torosbaraj.com.tr", "mixed"),
    ("TR-006", "Trakya Köprü Yapı A.Ş.", "construction", "TR", "trakyakopru.com.tr", "happy"),
    ("TR-007", "Kocaeli Metal Sanayi A.Ş.", "industrial", "TR", "kocaelimetal.com.tr", "mixed"),
    (
        "TR-008",
        "Bursa Otomotiv Parça San. A.Ş.",
        "industrial",
        "TR",
        "bursaotoparca.com.tr",
        "happy",
    ),
    ("TR-009", "Gebze Kimya Tesisleri A.Ş.", "industrial", "TR", "gebzekimya.com.tr", "unhappy"),
    ("TR-010", "Yıldız Hırdavat Bayi", "dealer", "TR", "yildizhirdavat.com.tr", "happy"),
    ("TR-011", "Çınar Yapı Market Bayi", "dealer", "TR", "cinaryapimarket.com", "mixed"),
    (
        "TR-012",
        "Kapadokya Prefabrik Yapı A.Ş.",
        "construction",
        "TR",
        "kapadokyaprefabrik.com.tr",
        "quiet",
    ),
    ("DE-001", "Rheinbau GmbH", "construction", "DE", "rheinbau.de", "happy"),
    ("DE-002", "Isar Tiefbau AG", "construction", "DE", "isar-tiefbau.de", "unhappy"),
    ("DE-003", "Elbe Brückenbau GmbH", "construction", "DE", "elbe-brueckenbau.de", "mixed"),
    ("DE-004", "Schwarzwald Holzbau KG", "construction", "DE", "schwarzwald-holzbau.de", "happy"),
    ("DE-005", "Ruhr Stahlwerk GmbH", "industrial", "DE", "ruhr-stahlwerk.de", "mixed"),
    ("DE-006", "Neckar Maschinenbau GmbH", "industrial", "DE", "neckar-maschinenbau.de", "happy"),
    ("DE-007", "Werkzeug Müller Fachhandel", "dealer", "DE", "werkzeug-mueller.de", "mixed"),
    ("DE-008", "Main Infrastruktur GmbH", "construction", "DE", "main-infrastruktur.de", "quiet"),
]

SEATS = {
    ("construction", "TR"): [
        "Genel Müdür",
        "Şantiye Şefi",
        "Şantiye Şefi",
        "Satınalma Müdürü",
        "Satınalma Uzmanı",
        "Finans Direktörü",
        "Kalite Kontrol Mühendisi",
        "Bilgi İşlem Müdürü",
        "Saha Teknisyeni",
        "Proje Müdürü",
        "İnsan Kaynakları Müdürü",
        "Genel Müdür Asistanı",
    ],
    ("industrial", "TR"): [
        "Fabrika Müdürü",
        "Üretim Şefi",
        "Bakım Teknisyeni",
        "Satınalma Müdürü",
        "Kalite Güvence Müdürü",
        "CFO",
        "IT Manager",
        "Makine Operatörü",
        "Muhasebe Müdürü",
    ],
    ("dealer", "TR"): [
        "Firma Sahibi",
        "Bayi Satış Temsilcisi",
        "Bayi Satış Temsilcisi",
        "Satış Müdürü",
        "Muhasebe Uzmanı",
    ],
    ("construction", "DE"): [
        "Geschäftsführer",
        "Bauleiter",
        "Bauleiter",
        "Einkaufsleiter",
        "Leiter Qualitätssicherung",
        "Kaufmännische Leiterin",
        "Polier",
        "Baumaschinenführer",
        "IT-Leiter",
        "Projektleiter",
        "Sachbearbeiterin Einkauf",
    ],
    ("industrial", "DE"): [
        "Geschäftsführerin",
        "Werksleiter",
        "Produktionsleiter",
        "Instandhaltungstechniker",
        "Leiterin Einkauf",
        "Qualitätsingenieur",
        "CFO",
        "Head of IT",
    ],
    ("dealer", "DE"): [
        "Inhaber",
        "Verkaufsberater",
        "Verkaufsberater",
        "Vertriebsleiter",
        "Buchhaltung",
    ],
}
ENGLISH_VARIANTS = {
    "Satınalma Müdürü": "Procurement Manager",
    "Şantiye Şefi": "Site Chief",
    "Kalite Kontrol Mühendisi": "Quality Engineer",
    "Einkaufsleiter": "Head of Purchasing",
    "Bauleiter": "Site Manager",
}

TR_FIRST = [
    "Ahmet",
    "Mehmet",
    "Ayşe",
    "Fatma",
    "Mustafa",
    "Zeynep",
    "Emre",
    "Elif",
    "Burak",
    "Selin",
    "Hakan",
    "Derya",
    "Onur",
    "Gülşen",
    "Serkan",
    "İpek",
    "Uğur",
    "Şule",
    "Çağlar",
    "Özge",
]
TR_LAST = [
    "Yılmaz",
    "Kaya",
    "Demir",
    "Şahin",
    "Çelik",
    "Yıldız",
    "Öztürk",
    "Aydın",
    "Arslan",
    "Doğan",
    "Kılıç",
    "Aslan",
    "Çetin",
    "Koç",
    "Kurt",
    "Özdemir",
    "Erdoğan",
    "Güneş",
    "Aksoy",
    "Polat",
]
DE_FIRST = [
    "Klaus",
    "Julia",
    "Stefan",
    "Anna",
    "Thomas",
    "Katrin",
    "Markus",
    "Sabine",
    "Jürgen",
    "Lena",
    "Andreas",
    "Birgit",
    "Tobias",
    "Claudia",
    "Matthias",
    "Jana",
]
DE_LAST = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
]
GENERIC_TR = ["info", "satis", "muhasebe", "satinalma", "bilgi", "destek"]
GENERIC_DE = ["info", "einkauf", "kontakt", "buchhaltung", "noreply"]

ASCII = str.maketrans("çğıöşüÇĞİÖŞÜäöüßÄÖÜ", "cgiosuCGIOSUaousAOU")

SITE_STAGES = [
    "awareness",
    "research",
    "request",
    "evaluation",
    "decision",
    "purchase",
    "delivery",
    "usage",
    "payment",
    "loyalty",
]
PROCUREMENT_STAGES = [
    "awareness",
    "research",
    "sourcing",
    "evaluation",
    "decision",
    "purchase",
    "delivery",
    "payment",
]
SHARED_STAGES = ["evaluation", "decision", "purchase", "delivery", "payment"]

COMMENTS = {
    "good_tr": [
        "Matkaplar şantiyede sorunsuz çalışıyor.",
        "Teslimat zamanında geldi, teşekkürler.",
        "Servis ekibi çok hızlı döndü.",
        "Akülü aletlerin pil ömrü beklentimizin üstünde.",
    ],
    "bad_tr": [
        "Teslimat iki hafta gecikti, şantiye bekledi.",
        "Kırıcı üç kez arızalandı, servis yavaş.",
        "Fatura ile irsaliye tutmuyor, ödeme onayı takıldı.",
        "Yedek parça bulunamadı, iş durdu.",
    ],
    "good_de": [
        "Die Bohrhämmer laufen zuverlässig.",
        "Lieferung pünktlich, gute Beratung.",
        "Schneller Service vor Ort.",
    ],
    "bad_de": [
        "Lieferung kam zwei Wochen zu spät.",
        "Akkus fallen nach kurzer Zeit aus.",
        "Rechnung fehlerhaft, Zahlung verzögert sich.",
    ],
    "good_en": ["Great tools, our crews like them.", "Ordering through the portal was easy."],
    "bad_en": ["Support never called back.", "Price increase without notice."],
}


def iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def person_email(first: str, last: str, domain: str) -> str:
    return f"{first.translate(ASCII).lower()}.{last.translate(ASCII).lower().replace(' ', '')}@{domain}"


def build_contacts() -> list[dict[str, str]]:
    contacts: list[dict[str, str]] = []
    serial = 0
    for account_id, _name, segment, country, domain, _mood in ACCOUNTS:
        firsts, lasts = (TR_FIRST, TR_LAST) if country == "TR" else (DE_FIRST, DE_LAST)
        owner = f"owner-{1 + (int(account_id[-3:]) % 5)}"
        used: set[tuple[str, str]] = set()
        for title in SEATS[(segment, country)]:
            serial += 1
            first, last = RNG.choice(firsts), RNG.choice(lasts)
            while (first, last) in used:  # one person per name within a company
                first, last = RNG.choice(firsts), RNG.choice(lasts)
            used.add((first, last))
            if title in ENGLISH_VARIANTS and RNG.random() < 0.3:
                title = ENGLISH_VARIANTS[title]
            modified = REFERENCE - timedelta(days=RNG.randrange(5, 400), hours=RNG.randrange(0, 12))
            contacts.append(
                {
                    "id": f"C{serial:04d}",
                    "account_id": account_id,
                    "email": person_email(first, last, domain),
                    "first_name": first,
                    "last_name": last,
                    "title": title,
                    "owner_id": owner,
                    "modified_at": iso(modified),
                    "cx_roles": "",
                }
            )
        generic = GENERIC_TR if country == "TR" else GENERIC_DE
        if RNG.random() < 0.55:
            serial += 1
            contacts.append(
                {
                    "id": f"C{serial:04d}",
                    "account_id": account_id,
                    "email": f"{RNG.choice(generic)}@{domain}",
                    "first_name": "",
                    "last_name": "",
                    "title": "",
                    "owner_id": owner,
                    "modified_at": iso(REFERENCE - timedelta(days=RNG.randrange(30, 300))),
                    "cx_roles": "",
                }
            )
    return contacts


def add_defects(contacts: list[dict[str, str]]) -> None:
    # duplicates: the same person entered twice (once in another account)
    for source_index in (3, 20, 41, 77):
        src = contacts[source_index]
        dup = dict(
            src,
            id=f"C9{source_index:03d}",
            first_name=src["first_name"].upper(),
            modified_at=iso(REFERENCE - timedelta(days=500)),
        )
        contacts.append(dup)
    cross = dict(
        contacts[10],
        id="C9999",
        account_id="TR-011",
        modified_at=iso(REFERENCE - timedelta(days=450)),
    )
    contacts.append(cross)
    # stale: people nobody has touched in years
    for index in (5, 15, 33, 52, 64, 88, 101, 120):
        if index < len(contacts):
            contacts[index]["modified_at"] = iso(REFERENCE - timedelta(days=900 + index))
    # a role a person set by hand in the CRM (cxsync must keep it)
    contacts[2]["cx_roles"] = "decision_maker"
    # rows the files adapter must reject, keep and report
    contacts.append(
        {
            "id": "",
            "account_id": "TR-001",
            "email": "hasan.er@bogaziciyapi.com.tr",
            "first_name": "Hasan",
            "last_name": "Er",
            "title": "Formen",
            "owner_id": "owner-2",
            "modified_at": iso(REFERENCE),
            "cx_roles": "",
        }
    )
    contacts.append(
        {
            "id": "C9998",
            "account_id": "DE-001",
            "email": "p.lang@rheinbau.de",
            "first_name": "Peter",
            "last_name": "Lang",
            "title": "Polier",
            "owner_id": "owner-2",
            "modified_at": "gestern",
            "cx_roles": "",
        }
    )


def stages_for(title: str) -> list[str]:
    """The journey stages of the persona cxsync reads from this title (so sample phases are
    valid), or the stages every journey shares when the title implies no persona."""
    from cxsync.roles import RoleTagger, load_personas

    persona = RoleTagger.from_mappings().tag(title).persona
    if persona is None:
        return ["evaluation", "decision"]
    return [s.key for s in load_personas()[persona].stages]


def score_for(metric: str, mood: str) -> int:
    low = {"nps": (0, 6), "csat": (1, 2), "ces": (1, 3), "happiness": (1, 2)}[metric]
    high = {"nps": (8, 10), "csat": (4, 5), "ces": (5, 7), "happiness": (4, 5)}[metric]
    p_low = {"happy": 0.08, "mixed": 0.35, "unhappy": 0.75, "quiet": 0.2}[mood]
    lo, hi = low if RNG.random() < p_low else high
    return RNG.randint(lo, hi)


def build_feedback(contacts: list[dict[str, str]]) -> list[dict[str, str]]:
    moods = {a[0]: a[5] for a in ACCOUNTS}
    countries = {a[0]: a[3] for a in ACCOUNTS}
    rows: list[dict[str, str]] = []
    serial = 0
    people = [c for c in contacts if c["id"] and c["first_name"] and not c["id"].startswith("C9")]
    for contact in people:
        mood = moods[contact["account_id"]]
        count = 0 if mood == "quiet" and RNG.random() < 0.7 else RNG.choice((0, 1, 1, 2, 2, 3, 4))
        for _ in range(count):
            serial += 1
            metric = RNG.choice(("nps", "nps", "csat", "ces", "happiness"))
            score = score_for(metric, mood)
            days_ago = RNG.randrange(0, 540)
            if mood == "unhappy" and RNG.random() < 0.3:
                days_ago = RNG.randrange(0, 20)
            zone = TR if countries[contact["account_id"]] == "TR" else BERLIN
            when = (REFERENCE - timedelta(days=days_ago, minutes=RNG.randrange(0, 600))).astimezone(
                zone
            )
            lang = "tr" if zone is TR else "de"
            if RNG.random() < 0.1:
                lang = "en"
            good = score >= {"nps": 7, "csat": 4, "ces": 5, "happiness": 4}[metric]
            comment = (
                RNG.choice(COMMENTS[f"{'good' if good else 'bad'}_{lang}"])
                if RNG.random() < 0.6
                else ""
            )
            by_email = RNG.random() < 0.3
            rows.append(
                {
                    "response_id": f"SV-{serial:05d}",
                    "contact_id": "" if by_email else contact["id"],
                    "email": contact["email"] if by_email else "",
                    "metric": metric,
                    "score": str(score),
                    "phase": RNG.choice(stages_for(contact["title"])),
                    "channel": RNG.choice(("email", "email", "sms")),
                    "submitted_at": iso(when),
                    "comment": comment,
                    "action_required": "",
                }
            )
    bad = [
        (
            "SV-BAD-1",
            people[0]["id"],
            "",
            "nps",
            "11",
            "delivery",
            "email",
            iso(REFERENCE),
            "On bir!",
        ),
        ("SV-BAD-2", people[1]["id"], "", "csat", "0", "purchase", "email", iso(REFERENCE), ""),
        (
            "SV-BAD-3",
            "",
            "nobody@unknown-customer.com.tr",
            "nps",
            "9",
            "delivery",
            "email",
            iso(REFERENCE),
            "",
        ),
        ("SV-BAD-4", people[2]["id"], "", "nps", "8", "delivery", "email", "31.02.2026 10:00", ""),
        ("SV-BAD-5", people[3]["id"], "", "nps", "7", "kurulum", "email", iso(REFERENCE), ""),
        ("SV-BAD-6", people[4]["id"], "", "loyalty", "5", "payment", "email", iso(REFERENCE), ""),
        ("", people[5]["id"], "", "nps", "9", "delivery", "email", iso(REFERENCE), "no id"),
        ("SV-BAD-8", people[6]["id"], "", "ces", "nine", "usage", "email", iso(REFERENCE), ""),
        ("SV-BAD-9", "C0000", "", "csat", "4", "delivery", "sms", iso(REFERENCE), ""),
        (
            "SV-BAD-10",
            people[7]["id"],
            "",
            "happiness",
            "6",
            "delivery",
            "email",
            iso(REFERENCE),
            "",
        ),
    ]
    for rid, cid, email, metric, score, phase, channel, when_text, comment in bad:
        rows.append(
            {
                "response_id": rid,
                "contact_id": cid,
                "email": email,
                "metric": metric,
                "score": score,
                "phase": phase,
                "channel": channel,
                "submitted_at": when_text,
                "comment": comment,
                "action_required": "",
            }
        )
    return rows


NOTES = [
    ("visit", "Şantiye ziyareti: kırıcılar iyi çalışıyor, iki ek akülü matkap talebi var.", False),
    ("call", "Satınalma ile görüşme: vade 90 güne uzatılmazsa rakibe geçebilirler.", True),
    (
        "meeting",
        "Quartalsgespräch: Zufrieden mit Lieferzeiten, wünschen Schulung für neue Poliere.",
        False,
    ),
    ("visit", "Baustellenbesuch: zwei Bohrhämmer defekt, Ersatz dringend.", True),
    (
        "call",
        "Finans direktörü fatura hatalarından şikayetçi; düzeltilmiş fatura gönderilecek.",
        True,
    ),
    ("visit", "Fabrika ziyareti: bakım ekibi yeni taşlama makinelerinden memnun.", False),
    ("meeting", "Kalite müdürü CE belgelerini istedi; gönderildi.", False),
    ("call", "Site chief asked for a demo of the new laser level.", False),
    ("visit", "Bayi ziyareti: stok devir hızı iyi, teşhir standı yenilenmeli.", False),
    ("call", "Einkauf droht mit Lieferantenwechsel wegen Preiserhöhung.", True),
]


def build_notes(contacts: list[dict[str, str]]) -> list[dict[str, object]]:
    people = [c for c in contacts if c["id"] and c["first_name"] and not c["id"].startswith("C9")]
    notes = []
    for i in range(20):
        channel, text, action = NOTES[i % len(NOTES)]
        contact = people[(i * 7) % len(people)]
        when = REFERENCE - timedelta(days=RNG.randrange(0, 200), hours=RNG.randrange(0, 8))
        notes.append(
            {
                "response_id": f"NOTE-{i + 1:03d}",
                "contact_id": contact["id"],
                "email": "",
                "metric": "",
                "score": "",
                "phase": RNG.choice(stages_for(contact["title"])),
                "channel": channel,
                "submitted_at": iso(when),
                "comment": text,
                "action_required": action,
            }
        )
    return notes


def write_csv(
    path: Path,
    rows: list[dict[str, str]],
    header: list[str],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    accounts = [
        {
            "id": a,
            "name": n,
            "owner_id": f"owner-{1 + (int(a[-3:]) % 5)}",
            "segment": s,
            "annual_revenue": str(RNG.randrange(5, 400) * 1_000_000),
            "country": c,
            "modified_at": iso(REFERENCE - timedelta(days=RNG.randrange(1, 90))),
        }
        for a, n, s, c, _d, _m in ACCOUNTS
    ]
    contacts = build_contacts()
    feedback = build_feedback(contacts)
    add_defects(contacts)
    fb_header = [
        "response_id",
        "contact_id",
        "email",
        "metric",
        "score",
        "phase",
        "channel",
        "submitted_at",
        "comment",
        "action_required",
    ]
    write_csv(OUT / "accounts.csv", accounts, list(accounts[0]))
    write_csv(
        OUT / "contacts.csv",
        contacts,
        [
            "id",
            "account_id",
            "email",
            "first_name",
            "last_name",
            "title",
            "owner_id",
            "modified_at",
            "cx_roles",
        ],
    )
    write_csv(OUT / "feedback" / "responses.csv", feedback, fb_header)
    with (OUT / "feedback" / "field_notes.jsonl").open("w", encoding="utf-8") as fh:
        for note in build_notes(contacts):
            fh.write(json.dumps(note, ensure_ascii=False) + "\n")
    dealers = [
        c
        for c in contacts
        if c["account_id"] in ("TR-010", "TR-011")
        and c["first_name"]
        and not c["id"].startswith("C9")
    ]
    survey = []
    for i, contact in enumerate(dealers):
        survey.append(
            {
                "response_id": f"BAYI-{i + 1:03d}",
                "contact_id": contact["id"],
                "email": "",
                "metric": "nps",
                "score": str(RNG.choice((4, 6, 8, 9, 10))),
                "phase": RNG.choice(stages_for(contact["title"])),
                "channel": "sms",
                "submitted_at": (REFERENCE - timedelta(days=RNG.randrange(1, 60))).strftime(
                    "%d.%m.%Y %H:%M"
                ),
                "comment": RNG.choice(
                    [
                        "Ürün çeşitliliği güzel, kargo süresi uzun.",
                        "Fiyatlar yüksek ama kalite iyi.",
                        "Şikâyetlerimize hızlı dönüş yapılıyor.",
                    ]
                ),
                "action_required": "",
            }
        )
    write_csv(
        OUT / "feedback" / "bayi_anketi_cp1254.csv",
        survey,
        fb_header,
        encoding="cp1254",
        delimiter=";",
    )
    print(
        f"{len(accounts)} accounts, {len(contacts)} contacts, {len(feedback)} responses, "
        f"{len(survey)} dealer survey rows → {OUT}"
    )


if __name__ == "__main__":
    main()
