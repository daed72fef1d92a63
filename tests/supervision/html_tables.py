"""Read a rendered table the way a sighted user does: visible text and links per cell
(text inside `.visually-hidden` is left out)."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Cell:
    text: str = ""
    href: str | None = None


@dataclass
class _State:
    rows: list[list[Cell]] = field(default_factory=list)
    in_table: bool = False
    depth: int = 0
    hidden_depth: int = 0
    cell: Cell | None = None


class _TableParser(HTMLParser):
    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id = table_id
        self.state = _State()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        state = self.state
        if tag == "table" and attrs.get("id") == self.table_id:
            state.in_table = True
            return
        if not state.in_table:
            return
        if tag == "span":
            state.depth += 1
            if "visually-hidden" in (attrs.get("class") or "").split() or state.hidden_depth:
                state.hidden_depth += 1
        elif tag == "caption":
            state.hidden_depth += 1
        elif tag == "tr":
            state.rows.append([])
        elif tag in {"td", "th"}:
            state.cell = Cell()
            state.rows[-1].append(state.cell)
        elif tag == "a" and state.cell is not None and state.cell.href is None:
            state.cell.href = attrs.get("href")

    def handle_endtag(self, tag):
        state = self.state
        if not state.in_table:
            return
        if tag == "table":
            state.in_table = False
        elif tag == "span":
            state.depth -= 1
            if state.hidden_depth:
                state.hidden_depth -= 1
        elif tag == "caption":
            state.hidden_depth -= 1
        elif tag in {"td", "th"} and state.cell is not None:
            state.cell.text = " ".join(state.cell.text.split())
            state.cell = None

    def handle_data(self, data):
        state = self.state
        if state.in_table and state.cell is not None and not state.hidden_depth:
            state.cell.text += data


def table_rows(html: str, table_id: str) -> list[list[Cell]]:
    parser = _TableParser(table_id)
    parser.feed(html)
    return parser.state.rows
