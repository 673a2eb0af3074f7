import pytest

from livsvillkor.reports.document import DocumentError, Paragraph, Report, Section, TableBlock
from livsvillkor.reports.snapshot import canonical_json, data_hash, take_snapshot

from .documents import TREND_VALUES, small_report


def test_a_well_formed_document_validates():
    small_report().validate()


def test_validation_names_every_problem():
    report = Report(
        title="X",
        sections=[
            Section("a", "A", 1, children=[Section("b", "B", 3)]),
            Section("a", "A igen", 1, [TableBlock("T", ["x", "y"], [[1], [1, 2]], numeric=[True])]),
        ],
    )
    with pytest.raises(DocumentError) as excinfo:
        report.validate()
    message = str(excinfo.value)
    assert "/a/b: level 3, expected 2" in message
    assert "duplicate section id 'a'" in message
    assert "row 1 has 1 cells, expected 2" in message
    assert "2 columns but 1 numeric flags" in message


def test_snapshot_is_stable_for_the_same_content():
    first, second = small_report(), small_report()
    assert data_hash(first) == data_hash(second)
    assert take_snapshot(first).data_hash == take_snapshot(second).data_hash


def test_snapshot_ignores_generation_time_and_the_snapshot_itself():
    from datetime import UTC, datetime

    a = small_report(generated_at=datetime(2025, 1, 1, tzinfo=UTC))
    b = small_report(generated_at=datetime(2026, 6, 1, tzinfo=UTC))
    take_snapshot(a)
    assert data_hash(a) == data_hash(b)


def test_snapshot_changes_when_a_number_or_a_text_changes():
    base = data_hash(small_report())
    changed_chart = list(TREND_VALUES)
    changed_chart[1] += 0.01
    assert data_hash(small_report(trend_values=changed_chart)) != base
    assert data_hash(small_report(table_value=12.6)) != base
    edited = small_report()
    edited.sections[1].blocks.append(Paragraph("En mening till."))
    assert data_hash(edited) != base


def test_snapshot_treats_equal_numbers_alike():
    assert data_hash(small_report(table_value=12)) == data_hash(small_report(table_value=12.0))


def test_canonical_json_holds_the_chart_numbers():
    text = canonical_json(small_report())
    for value in TREND_VALUES[:5]:
        assert str(value) in text


def test_snapshot_is_the_same_in_another_process():
    """Hash randomisation differs between processes; the snapshot must not depend on it."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = "from tests.reports.documents import small_report; from livsvillkor.reports.snapshot import data_hash; print(data_hash(small_report()))"
    hashes = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": f"{root / 'src'}{os.pathsep}{root}"}
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True
        )
        hashes.add(result.stdout.strip())
    assert hashes == {data_hash(small_report())}
