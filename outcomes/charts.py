"""The outcome page's charts as plain geometry for ``templates/outcomes/_line_chart.html``,
which draws them as inline SVG: no JavaScript, the same markup on the screen, on paper and
in the PDF letter. Readable in black and white: every series is black with its own dash
pattern and marker shape (circle, square, triangle), named in the legend, and a reference
line (the 30% responder level, the FIQR MCID) is dotted and named in the legend.

No charting library: two small line charts over 0-10, 0-100 and 0-27 scales need nothing
but coordinates, and drawing them here keeps the print styling exact.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from . import progress
from .course_outcome import CourseOutcome, MeasureCourse

WIDTH, HEIGHT = 640, 260  # the pain chart; the questionnaires' pair are narrower
SMALL_WIDTH = 420
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 56  # room for the y labels, x labels and legend
PAD = 12  # between the axis and the first point (and the last point and the edge)
LABEL_PAD = 48  # the same where the x labels are words ("After infusion 4")
STYLES = {
    # name: (dash pattern, marker shape, marker filled)
    "solid": ("", "circle", True),
    "dashed": ("8 5", "square", False),
    "dotdash": ("2 4 8 4", "triangle", True),
}


@dataclass
class Marker:
    x: float
    y: float
    value: Decimal
    label: str

    @property
    def box_x(self) -> float:
        return self.x - 5

    @property
    def box_y(self) -> float:
        return self.y - 5

    def triangle(self) -> str:
        return f"{self.x:.1f},{self.y - 6:.1f} {self.x - 6:.1f},{self.y + 5:.1f} " \
               f"{self.x + 6:.1f},{self.y + 5:.1f}"  # fmt: skip


@dataclass
class Series:
    name: str
    style: str
    markers: list[Marker] = field(default_factory=list)

    @property
    def dash(self) -> str:
        return STYLES[self.style][0]

    @property
    def shape(self) -> str:
        return STYLES[self.style][1]

    @property
    def filled(self) -> bool:
        return STYLES[self.style][2]

    @property
    def path(self) -> str:
        """The line through the markers; a gap (a missing answer) breaks it."""
        return " ".join(
            ("M" if index == 0 else "L") + f"{m.x:.1f},{m.y:.1f}"
            for index, m in enumerate(self.markers)
        )


@dataclass
class Chart:
    title: str
    description: str
    x_title: str
    y_max: int
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]
    series: list[Series]
    reference: tuple[float, str] | None = None  # (y, label)
    width: int = WIDTH
    height: int = HEIGHT
    legend_step: int = 170
    left: int = LEFT
    top: int = TOP
    bottom_edge: int = HEIGHT - BOTTOM

    @property
    def right_edge(self) -> int:
        return self.width - RIGHT

    @property
    def x_title_x(self) -> float:
        return (self.left + self.right_edge) / 2

    @property
    def empty(self) -> bool:
        return not any(s.markers for s in self.series)

    @property
    def legend_y(self) -> int:
        return self.height - 8

    def legend(self) -> list[tuple[Series, int]]:
        step = self.legend_step
        return [(series, self.left + step * index) for index, series in enumerate(self.series)]

    @property
    def reference_legend_x(self) -> int:
        """The reference line is named in the legend, after the series (never on the plot,
        where its words would cross the lines)."""
        return self.left + self.legend_step * len(self.series)


def _y(value, y_max: int) -> float:
    span = HEIGHT - BOTTOM - TOP
    return HEIGHT - BOTTOM - float(value) / y_max * span


def _x(index: int, count: int, width: int = WIDTH, pad: int = PAD) -> float:
    span = width - RIGHT - LEFT - 2 * pad
    if count <= 1:
        return LEFT + pad + span / 2
    return LEFT + pad + span * index / (count - 1)


def _ticks(y_max: int, step: int) -> list[tuple[float, int]]:
    return [(_y(value, y_max), value) for value in range(0, y_max + 1, step)]


def pain_chart(outcome: CourseOutcome) -> Chart:
    """Pain before (solid, filled circles) and after (dashed, open squares) each infusion,
    with the responder level (30% below the baseline) dotted."""
    rows = outcome.infusions
    before = Series(_("Before the infusion"), "solid")
    after = Series(_("After the infusion"), "dashed")
    before_words = _("Infusion %(number)s, before: %(value)s")
    after_words = _("Infusion %(number)s, after: %(value)s")
    for index, row in enumerate(rows):
        x = _x(index, len(rows))
        for series, value, word in ((before, row.pain_before, before_words),
                                    (after, row.pain_after, after_words)):  # fmt: skip
            if value is not None:
                label = word % {"number": row.number, "value": value.normalize()}
                series.markers.append(Marker(x, _y(value, 10), value, label))
    reference = None
    if outcome.pain_baseline is not None and outcome.pain_baseline.score > 0:
        level = outcome.pain_baseline.score * (100 - progress.RESPONDER_PERCENT) / 100
        words = _("30%% below baseline (%(level)s)") % {"level": level.normalize()}
        reference = (_y(level, 10), words)
    return Chart(
        title=_("Pain (0-10) before and after each infusion"),
        description=_describe(outcome),
        x_title=_("Infusion"),
        y_max=10,
        x_labels=[(_x(i, len(rows)), str(row.number)) for i, row in enumerate(rows)],
        y_ticks=_ticks(10, 2),
        series=[before, after],
        reference=reference,
    )


def _describe(outcome: CourseOutcome) -> str:
    change = outcome.pain.change
    if change.percent is None:
        return _("Pain scores by infusion; the change from baseline is not known yet.")
    return _(
        "Pain %(baseline)s before the first infusion, %(latest)s after the latest: "
        "%(percent)s%% lower."
    ) % {
        "baseline": change.baseline.normalize(),
        "latest": change.latest.normalize(),
        "percent": change.percent,
    }


def measure_chart(course: MeasureCourse, y_max: int, step: int) -> Chart:
    """One questionnaire over the course (solid line, filled triangles... as ``dotdash`` for
    PHQ-9 so the two charts differ on paper too), FIQR with its MCID level dotted."""
    style = "solid" if course.kind == "fiqr" else "dotdash"
    series = Series(course.name, style)
    count = len(course.points)

    def x(index: int) -> float:
        return _x(index, count, SMALL_WIDTH, LABEL_PAD)

    for index, point in enumerate(course.points):
        series.markers.append(
            Marker(x(index), _y(point.score, y_max), point.score,
                   f"{point.label}: {point.score.normalize()}")
        )  # fmt: skip
    reference = None
    if course.kind == "fiqr" and course.baseline is not None and course.baseline.score > 0:
        level = course.baseline.score * (100 - progress.FIQR_MCID_PERCENT) / 100
        words = _("MCID: 14%% below baseline (%(level)s)") % {"level": level.normalize()}
        reference = (_y(level, y_max), words)
    change = course.change
    description = (
        _("%(name)s from %(baseline)s at baseline to %(latest)s: %(points)s points.")
        % {"name": course.name, "baseline": change.baseline.normalize(),
           "latest": change.latest.normalize(), "points": f"{change.points.normalize():+}"}
        if change.known
        else _("%(name)s answers over the course; no change from baseline yet.")
        % {"name": course.name}
    )  # fmt: skip
    return Chart(
        title=_("%(name)s over the course") % {"name": course.name},
        description=description,
        x_title="",
        y_max=y_max,
        x_labels=[(x(i), p.label) for i, p in enumerate(course.points)],
        y_ticks=_ticks(y_max, step),
        series=[series],
        reference=reference,
        width=SMALL_WIDTH,
        legend_step=100,
    )


def outcome_charts(outcome: CourseOutcome) -> dict[str, Chart]:
    return {
        "pain": pain_chart(outcome),
        "fiqr": measure_chart(outcome.fiqr, 100, 20),
        "phq9": measure_chart(outcome.phq9, 27, 9),
    }
