"""The benchmark's synthetic document has the promised shape and is reproducible."""

from livsvillkor.reports.document import ChartBlock, TableBlock
from livsvillkor.reports.snapshot import data_hash
from livsvillkor.reports.synthetic import EXAMPLE_DATA_NOTICE, synthetic_report


def test_synthetic_report_shape_and_reproducibility():
    report = synthetic_report(1)
    report.validate()
    goals = [s for s in report.walk() if s.level == 2]
    assert len(goals) == 13
    indicators = [s for s in report.walk() if s.level == 3]
    assert len(indicators) == 13
    for section in indicators:
        kinds = [type(b) for b in section.blocks]
        assert kinds.count(ChartBlock) == 2 and kinds.count(TableBlock) == 1
    assert report.notices[0].text == EXAMPLE_DATA_NOTICE
    assert data_hash(synthetic_report(1)) == data_hash(report)
    assert data_hash(synthetic_report(1, seed=8)) != data_hash(report)
