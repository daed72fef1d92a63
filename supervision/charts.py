"""Server-rendered charts: pure geometry here, SVG markup in a template
(templates/supervision/_bar_chart.html). No JavaScript, no inline style (the site's CSP
forbids it): colours are SVG presentation attributes. Every chart ships with a table of
the same numbers, which is what screen readers and keyboard users navigate."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

# Colours from static/css/relais.css: --brand on white is 9.7:1, --ink on white 17:1,
# well above the 3:1 (graphics) and 4.5:1 (text) of WCAG 2.1 AA.
BAR_FILL = "#1d3f8f"
TEXT_FILL = "#1b1b1f"
AXIS_STROKE = "#4d4d57"


@dataclass(frozen=True)
class ChartBar:
    label: str
    value: int
    label_y: int
    bar_y: int
    bar_width: int
    value_x: int
    value_y: int


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart: one row per bar, its label above it, its value after it.
    Integers only, so that the template never localises a coordinate ("12,5")."""

    width: int
    height: int
    left: int
    bar_height: int
    bars: list[ChartBar]
    description: str

    @property
    def axis_bottom(self) -> int:
        return self.height - 4

    @property
    def colours(self) -> dict[str, str]:
        return {"bar": BAR_FILL, "text": TEXT_FILL, "axis": AXIS_STROKE}


def horizontal_bar_chart(
    items: list[tuple[str, int]],
    *,
    width: int = 400,
    bar_height: int = 20,
    label_size: int = 14,
    value_room: int = 56,
    left: int = 8,
) -> BarChart:
    row_height = label_size + 8 + bar_height + 12
    plot_width = width - left - value_room
    highest = max((value for _label, value in items), default=0)
    bars = []
    for index, (label, value) in enumerate(items):
        top = 4 + index * row_height
        bar_width = round(plot_width * value / highest) if highest else 0
        if value and bar_width < 2:
            bar_width = 2  # a non-zero value stays visible
        bar_y = top + label_size + 6
        bars.append(
            ChartBar(
                label=label,
                value=value,
                label_y=top + label_size,
                bar_y=bar_y,
                bar_width=bar_width,
                value_x=left + bar_width + 6,
                value_y=bar_y + bar_height - 6,
            )
        )
    description = "; ".join(
        _("%(label)s: %(value)s") % {"label": label, "value": value} for label, value in items
    )
    return BarChart(
        width=width,
        height=4 + len(items) * row_height + 4,
        left=left,
        bar_height=bar_height,
        bars=bars,
        description=description,
    )
