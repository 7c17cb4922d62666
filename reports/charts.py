"""Chart geometry for the SVG templates: plain functions over the already-aggregated rows
(a few dozen numbers), with no ORM. Readable in black and white: series differ by fill
pattern (solid, hatched, grey, dotted), not by colour, and every bar and cell carries its
number where it fits."""

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 760, 280
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 34, 44
PATTERNS = ("solid", "hatch", "grey", "dots")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    pattern: str
    label: str  # the value, printed above the bar when it is wide enough ("" otherwise)
    title: str  # the tooltip and the screen reader's text


@dataclass(frozen=True)
class BarChart:
    title: str
    width: int
    height: int
    bars: list[Bar]
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    legend: list[tuple[float, str, str]]  # x, pattern, label
    plot_left: int
    plot_right: int
    plot_bottom: int
    empty: bool
    kind: str = "bars"


def _top(values: list, unit: str) -> float:
    """The axis top: 100% for rates, else the next of 5, 10, 20, 50, 100, 200, 500 ..."""
    highest = max((float(v) for v in values if v is not None), default=0.0)
    if unit == "%":
        return max(100.0, highest)
    top = 5
    while top < highest:
        top = top * 2 if str(top)[0] in "15" else top * 5 // 2
    return float(top)


def _text(value, unit: str) -> str:
    if value is None:
        return "–"
    number = float(value)
    shown = f"{number:.0f}" if number == int(number) else f"{number:.1f}"
    return f"{shown}{unit}"


def bar_chart(title: str, categories: list[str], series: list[tuple[str, list]], *,
              unit: str = "") -> BarChart:  # fmt: skip
    """Grouped bars: one group per category, one bar per series."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    bottom = HEIGHT - BOTTOM
    values = [v for _, vals in series for v in vals]
    top = _top(values, unit)
    group_w = plot_w / max(len(categories), 1)
    bar_w = group_w * 0.8 / max(len(series), 1)
    bars = []
    for index, category in enumerate(categories):
        for number, (name, vals) in enumerate(series):
            value = vals[index]
            height = 0.0 if value is None else plot_h * min(float(value), top) / top
            x = LEFT + index * group_w + group_w * 0.1 + number * bar_w
            bars.append(
                Bar(
                    x=round(x, 1),
                    y=round(bottom - height, 1),
                    width=round(bar_w, 1),
                    height=round(height, 1),
                    pattern=PATTERNS[number % len(PATTERNS)],
                    label=_text(value, unit) if bar_w >= 22 else "",
                    title=f"{category}, {name}: {_text(value, unit)}",
                )  # fmt: skip
            )
    every = max(1, round(len(categories) / 14))
    x_labels = [
        (round(LEFT + (index + 0.5) * group_w, 1), category)
        for index, category in enumerate(categories)
        if index % every == 0
    ]
    y_ticks = [
        (round(bottom - plot_h * step / 4, 1), _text(Decimal(top * step / 4), unit))
        for step in range(5)
    ]
    legend = [
        (LEFT + number * 150, PATTERNS[number % len(PATTERNS)], name)
        for number, (name, _) in enumerate(series)
    ]
    return BarChart(
        title=title, width=WIDTH, height=HEIGHT, bars=bars, x_labels=x_labels, y_ticks=y_ticks,
        legend=legend, plot_left=LEFT, plot_right=WIDTH - RIGHT, plot_bottom=bottom,
        empty=not categories or all(v is None or v == 0 for v in values),
    )  # fmt: skip


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    grey: int  # 255 white (nothing booked) to 40 (fully booked)
    ink: str
    label: str
    title: str


@dataclass(frozen=True)
class HeatMap:
    title: str
    width: int
    height: int
    cells: list[Cell]
    rows: list[tuple[int, str]]
    columns: list[tuple[int, str]]
    empty: bool
    kind: str = "heat"


CELL_W, CELL_H, HEAT_LEFT, HEAT_TOP = 44, 28, 48, 28


def heat_map(title: str, rows: list[dict]) -> HeatMap:
    """Weekday rows by clock-hour columns; each cell shaded by its booked share of the open
    chair time and labelled with it ("·" where the site was closed and nothing booked)."""
    found = {(row["weekday"], row["hour"]): row for row in rows}
    hours = sorted({hour for _, hour in found}) or list(range(8, 18))
    hours = list(range(hours[0], hours[-1] + 1))
    cells = []
    for weekday in range(7):
        for column, hour in enumerate(hours):
            row = found.get((weekday, hour))
            percent = row["booked_percent"] if row else None
            if percent is None:
                booked = row["booked_minutes"] if row else 0
                grey, label = 255, ("!" if booked else "·")
                text = f"{WEEKDAYS[weekday]} {hour:02}:00: not open" + (
                    f", {booked} minutes booked" if booked else ""
                )
            else:
                grey = round(255 - 215 * min(float(percent), 100.0) / 100)
                label = f"{float(percent):.0f}"
                text = f"{WEEKDAYS[weekday]} {hour:02}:00: {percent}% booked"
            cells.append(
                Cell(
                    x=HEAT_LEFT + column * CELL_W,
                    y=HEAT_TOP + weekday * CELL_H,
                    grey=grey,
                    ink="#fff" if grey < 140 else "#000",
                    label=label,
                    title=text,
                )  # fmt: skip
            )
    return HeatMap(
        title=title,
        width=HEAT_LEFT + len(hours) * CELL_W + 8,
        height=HEAT_TOP + 7 * CELL_H + 8,
        cells=cells,
        rows=[(HEAT_TOP + n * CELL_H + CELL_H // 2 + 5, day) for n, day in enumerate(WEEKDAYS)],
        columns=[(HEAT_LEFT + n * CELL_W + CELL_W // 2, f"{h:02}") for n, h in enumerate(hours)],
        empty=not rows,
    )  # fmt: skip
