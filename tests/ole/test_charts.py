"""The SVG charts' geometry (ole/charts.py): a value axis of round steps, bars standing on the baseline at the
height of their value, and a line broken where a week has no value."""

import datetime

import pytest

from ole import charts

WEEKS = [datetime.date(2026, 9, 14) + datetime.timedelta(weeks=n) for n in range(12)]


@pytest.mark.parametrize(
    ("top", "axis"),
    [
        (0, (1, 1)),
        (0.4, (1, 1)),
        (3, (3, 1)),
        (4, (4, 1)),
        (7, (8, 2)),
        (15, (15, 5)),
        (41, (60, 20)),
        (400, (400, 100)),
    ],
)
def test_the_value_axis_rises_in_steps_of_one_two_or_five_to_at_least_the_largest_value(top, axis):
    assert charts.scale(top) == axis


def test_a_bar_stands_on_the_baseline_as_tall_as_its_value():
    values = [0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 3]
    chart = charts.weekly_bars(
        slug="s", title="T", description="D", y_label="Y", weeks=WEEKS, lines=[charts.Line("A", "filled", values)]
    )
    assert [tick.label for tick in chart.value_ticks] == ["0", "2", "4", "6", "8"]
    unit = charts.PLOT_HEIGHT / 8
    for bar, value in zip(chart.bars, values, strict=True):
        assert bar.y + bar.height == pytest.approx(charts.BASELINE, abs=0.1)
        assert bar.height == pytest.approx(value * unit, abs=0.1)
    assert all(later.x > earlier.x for earlier, later in zip(chart.bars, chart.bars[1:], strict=False))
    assert [tick.label for tick in chart.week_ticks][-1] == "30 Nov"  # this week is always named


def test_a_line_breaks_at_a_week_without_a_value_and_shows_a_dash_in_the_table():
    values = [None, 2.5, 3, None, None, 1, None, None, None, None, None, 4]
    chart = charts.weekly_line(
        slug="m", title="T", description="D", y_label="Days", weeks=WEEKS, line=charts.Line("M", "line", values)
    )
    assert len(chart.points) == 4 and [point.label for point in chart.points] == ["2.5", "3", "1", "4"]
    assert [path.count("L") for path in chart.paths] == [1, 0, 0]
    assert [cells for _week, cells in chart.rows][:3] == [["—"], ["2.5"], ["3"]]
