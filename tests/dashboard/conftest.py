"""A reader of the tables a page renders. The pages are tested on the shared registry
(tests/conftest.py: `registry`, `projects`), small enough that every number they show can be worked
out by hand."""

from html.parser import HTMLParser


class _Tables(HTMLParser):
    """Collects each <table data-table=name> as rows of cell texts, the header row first."""

    def __init__(self):
        super().__init__()
        self.tables, self.current, self.row, self.cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self.current = self.tables.setdefault(attrs["data-table"], [])
        elif self.current is not None and tag == "tr":
            self.row = []
        elif self.row is not None and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.current.append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def shown_table(response, name: str) -> list[list[str]]:
    """The table of that name as the page shows it: the header, then each row's cell texts."""
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser.tables[name]


def shown_rows(response, name: str) -> dict[str, dict[str, str]]:
    """The rows of a shown table keyed by their first cell, each as {header: text}."""
    header, *rows = shown_table(response, name)
    return {row[0]: dict(zip(header, row)) for row in rows}
