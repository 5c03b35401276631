"""A report charts a funnel step's conversion alert from the step series the history holds
(the console never stores the derived conversion): the drop is there, at the step's usual
level before the fault."""

from __future__ import annotations

import numpy as np
import pytest

from warroom.core.funnel.conversion import conversion_series
from warroom.core.model import SeriesKey
from warroom.report.funnel import chart_range
from warroom.report.model import build_report
from warroom.report.units import RATIO, unit_of
from warroom.sim.drill import record_drill
from warroom.store import HistoryReader


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    """Six healthy minutes, then the ICBC gateway down for four (no plan)."""
    return record_drill(tmp_path_factory.mktemp("funnel") / "icbc.duckdb", seconds=600, as_drill=False,
                        fault="dependency_outage:bank-icbc", fault_at_s=360, plan="", every_s=60)


def test_the_report_charts_the_derived_conversion_of_the_step_that_dropped(recording):
    reader = HistoryReader(recording.path)
    try:
        report = build_report(reader, recording.incident_id)
        key = conversion_series("qr_pay", "bank_confirmed")
        charts = [c for c in (*report.charts, *report.symptom_grid) if c.lines and c.lines[0].key == key]
        assert charts, "a conversion alert of the incident is charted"
        assert all(c.unit == RATIO for c in charts) and unit_of(key.name) == RATIO
        series = charts[0].lines[0]
        ts, values = np.array(series.ts), np.array(series.value)
        assert len(ts) > 10
        before, during = values[ts < recording.fault_ms], values[ts >= recording.fault_ms + 60_000]
        assert before.size and during.size
        assert np.median(before) > 0.95 and np.median(during) < 0.8
    finally:
        reader.close()


def test_a_step_the_history_does_not_know_charts_nothing_and_other_series_are_untouched(recording):
    reader = HistoryReader(recording.path)
    try:
        unknown = conversion_series("qr_pay", "no_such_step")
        first = conversion_series("qr_pay", "checkout")  # the first step has no conversion
        tps = SeriesKey("scenario_tps", {"scenario": "qr_pay"})
        end = recording.fault_ms + 60_000
        data = chart_range(reader, [unknown, first, tps], recording.fault_ms - 60_000, end, 200)
        assert len(data[unknown].ts) == 0 and len(data[first].ts) == 0
        plain = reader.range([tps], recording.fault_ms - 60_000, end, 200)[tps]
        assert np.array_equal(data[tps].value, plain.value)
    finally:
        reader.close()
