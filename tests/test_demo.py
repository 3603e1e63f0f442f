"""Demo data: deterministic, realistic, with the family's codes together."""

import csv
import random

import transaction
from ZODB import DB
from ZODB.MappingStorage import MappingStorage

from ts_host.demo import DemoBuilder, division_name
from ts_host.establishments import load_academy
from ts_host.plugins import PluginRegistry
from ts_host.root import appmaker
from ts_host.testing import ESTABLISHMENT_A, ESTABLISHMENT_B, establishments_toml


def build(tmp_path, seed, pupils=120):
    path = tmp_path / f"establishments-{seed}.toml"
    path.write_text(establishments_toml({ESTABLISHMENT_A: [], ESTABLISHMENT_B: []}))
    academy = load_academy(path, {})
    db = DB(MappingStorage())
    manager = transaction.TransactionManager(explicit=True)
    connection = db.open(transaction_manager=manager)
    manager.begin()
    site = appmaker(connection.root())
    builder = DemoBuilder(site, academy, PluginRegistry(), seed=seed)
    builder.write(builder.plan(pupils), lambda: None)
    codes = tmp_path / f"codes-{seed}-{random.random()}.csv"
    builder.write_codes_csv(codes)
    pupils_seen = sorted((p.id, p.first_name, p.division) for p in site.pupils.values())
    manager.abort()
    connection.close()
    db.close()
    return pupils_seen, codes.read_text()


def test_the_same_seed_gives_the_same_database_and_codes(tmp_path):
    assert build(tmp_path, 5) == build(tmp_path, 5)
    assert build(tmp_path, 5) != build(tmp_path, 6)


def test_the_codes_file_lists_a_familys_codes_on_consecutive_lines(tmp_path):
    _pupils, text = build(tmp_path, 5)
    rows = list(csv.DictReader(text.splitlines()))
    assert list(rows[0]) == [
        "kind",
        "code",
        "uai",
        "pupil_first_name",
        "pupil_birth_date",
        "responsable",
    ]
    seen, previous = set(), None
    for row in rows:
        if row["kind"] != "CAR":
            continue
        if row["responsable"] != previous:
            assert row["responsable"] not in seen, "a responsable's codes are split"
            seen.add(previous)
            previous = row["responsable"]
    assert {row["uai"] for row in rows} == {ESTABLISHMENT_A, ESTABLISHMENT_B}
    assert all(len(row["code"]) == 16 for row in rows)


def test_the_demo_has_siblings_across_both_establishments(tmp_path):
    _pupils, text = build(tmp_path, 5, pupils=300)
    rows = [r for r in csv.DictReader(text.splitlines()) if r["kind"] == "CAR"]
    by_responsable = {}
    for row in rows:
        by_responsable.setdefault(row["responsable"], set()).add(row["uai"])
    assert any(len(uais) == 2 for uais in by_responsable.values())


def test_class_names_follow_the_schools_conventions():
    assert [division_name("6", n) for n in (0, 1, 25, 26)] == ["6A", "6B", "6Z", "6AA"]
    assert division_name("2NDE", 0) == "2NDE1"
    assert division_name("TG", 2) == "TG3"


def test_the_demo_issues_codes_by_the_administrations_rule(tmp_path, monkeypatch):
    """No CAR for a responsable the rule leaves out: here, as if only RESP_LEGAL
    1 had parental authority, the second parents get none."""
    _pupils, text = build(tmp_path, 5)
    rows = list(csv.DictReader(text.splitlines()))
    monkeypatch.setattr("ts_host.admin.codes.LEGAL", (1,))
    _pupils, narrowed = build(tmp_path, 5)
    kept = list(csv.DictReader(narrowed.splitlines()))
    assert sum(r["kind"] == "CAE" for r in kept) == sum(r["kind"] == "CAE" for r in rows)
    assert 0 < sum(r["kind"] == "CAR" for r in kept) < sum(r["kind"] == "CAR" for r in rows)
