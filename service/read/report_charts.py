"""The evaluation report's charts, drawn by matplotlib on its Agg canvas (no display, no pyplot
state: each chart is its own Figure, so two reports made at once never draw on one another).

Three charts, in the plan's local time: the systems down over time, the paper records per hour
(per unit, stacked), and the back-entry burn-down from the restoration to the last journal entry.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta, tzinfo

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, DateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from domain.report import IncidentReport

SIZE = (7.2, 2.1)
DPI = 150
MARKED = 60
COLOURS = ("#1f5f8b", "#c8553d", "#588b4a", "#8e6c8a", "#d4a017", "#4d4d4d")


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    FigureCanvasAgg(figure)
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _figure(title: str) -> tuple[Figure, Axes]:
    figure = Figure(figsize=SIZE, layout="constrained")
    axes = figure.add_subplot()
    axes.set_title(title, loc="left", fontsize=10, fontweight="bold")
    axes.tick_params(labelsize=8)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return figure, axes


def _clock(axes: Axes, tz: tzinfo, span: timedelta) -> None:
    """Ticks at whole local times (14:00, 14:30, ...), said in the plan's time zone."""
    fmt = "%H:%M" if span <= timedelta(hours=36) else "%d/%m %H:%M"
    axes.xaxis.set_major_locator(AutoDateLocator(tz=tz, minticks=3, maxticks=8))
    axes.xaxis.set_major_formatter(DateFormatter(fmt, tz=tz))


def _empty(axes: Axes, text: str) -> None:
    axes.text(0.5, 0.5, text, ha="center", va="center", fontsize=9, color="#555555")
    axes.set_xticks([])
    axes.set_yticks([])


def systems_chart(report: IncidentReport, tz: tzinfo) -> bytes:
    """Each system a bar from the detection until it came back (still down: until `at`)."""
    figure, axes = _figure("Systemer nede")
    rows = list(reversed(report.systems))
    end = report.at
    for i, s in enumerate(rows):
        stop = s.down_to or end
        start = date2num(s.down_from)
        axes.barh(
            i,
            date2num(stop) - start,
            left=start,
            height=0.55,
            color=COLOURS[0] if s.down_to else COLOURS[1],
            hatch=None if s.down_to else "//",
        )
        label = f"{s.minutes:g} min" if s.minutes is not None else "stadig nede"
        axes.text(date2num(stop), i, f" {label}", va="center", fontsize=7)
    axes.set_yticks(range(len(rows)), [s.system for s in rows], fontsize=8)
    last = max([s.down_to or end for s in rows], default=end)
    axes.set_xlim(
        date2num(report.detected_at),
        date2num(last + (last - report.detected_at) * 0.25 + timedelta(minutes=5)),
    )
    _clock(axes, tz, last - report.detected_at)
    return _png(figure)


def paper_chart(report: IncidentReport, tz: tzinfo) -> bytes:
    """The paper records made in each hour (every hour from the first to the last, local
    time), stacked by unit."""
    figure, axes = _figure("Papirregistreringer pr. time")
    hours = report.paper.by_hour
    if not hours:
        _empty(axes, "Ingen papirregistreringer")
        return _png(figure)
    counted = {h.hour: h.by_unit for h in hours}
    span = int((hours[-1].hour - hours[0].hour) / timedelta(hours=1)) + 1
    every = [hours[0].hour + timedelta(hours=n) for n in range(span)]
    units = sorted({u for h in hours for u in h.by_unit})
    x = list(range(len(every)))
    bottom = [0] * len(every)
    for n, unit in enumerate(units):
        counts = [counted.get(h, {}).get(unit, 0) for h in every]
        axes.bar(x, counts, width=0.7, bottom=bottom, label=unit, color=COLOURS[n % len(COLOURS)])
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    step = max(1, len(every) // 12)
    axes.set_xticks(
        x[::step],
        [f"{h.astimezone(tz):%H}-{(h + timedelta(hours=1)).astimezone(tz):%H}" for h in every][
            ::step
        ],
    )
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel("antal", fontsize=8)
    if len(units) > 1:
        axes.legend(fontsize=7, frameon=False, loc="upper right")
    return _png(figure)


def burn_down_chart(report: IncidentReport, tz: tzinfo) -> bytes:
    """Records waiting for the journal, from the restoration to the last journal entry."""
    figure, axes = _figure("Efterregistrering (ventende registreringer)")
    points = report.back_entry.points
    if not points:
        _empty(
            axes,
            "Systemerne er ikke alle oppe igen"
            if report.back_entry.restored_at is None
            else "Ingen registreringer",
        )
        return _png(figure)
    times: list[datetime] = [p.at for p in points]
    counts = [p.pending for p in points]
    x = date2num(times)  # one conversion for thousands of points
    axes.step(x, counts, where="post", color=COLOURS[0], linewidth=1.8)
    if len(points) <= MARKED:  # a dot per entry while they can be told apart
        axes.plot(x, counts, "o", color=COLOURS[0], markersize=3)
    axes.set_ylim(bottom=0, top=max(counts) * 1.15 + 0.5)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel("ventende", fontsize=8)
    _clock(axes, tz, times[-1] - times[0])
    return _png(figure)


def charts(report: IncidentReport, tz: tzinfo) -> list[tuple[str, bytes]]:
    return [
        ("Systemer nede over tid", systems_chart(report, tz)),
        ("Papirregistreringer pr. time", paper_chart(report, tz)),
        ("Efterregistrering: burn-down", burn_down_chart(report, tz)),
    ]
