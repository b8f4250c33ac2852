"""What a person sees on index.html and projekt.html, read from the HTML by section."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


def squeezed(text: str) -> str:
    """Runs of spaces and line breaks as one space (a no-break space stays as it is)."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


@dataclass
class Section:
    """A <section>, named by its heading's id: its text, table rows and links."""

    words: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, text)
    groups: list[tuple[str, list[str]]] = field(default_factory=list)
    """Att göra: each <h3> (a project leader) and the projects (their names) under it."""

    @property
    def text(self) -> str:
        return squeezed("".join(self.words))


class PageText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, Section] = {"": Section()}
        self.current = ""
        self.cell: list[str] | None = None
        self.link: tuple[str, list[str]] | None = None
        self.h3: list[str] | None = None
        self.project: list[str] | None = None
        self.scripts = 0

    @property
    def here(self) -> Section:
        return self.sections[self.current]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "section":
            self.current = attributes.get("aria-labelledby") or ""
            self.sections.setdefault(self.current, Section())
        elif tag == "tr":
            self.here.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "a":
            self.link = (attributes.get("href") or "", [])
        elif tag == "h3":
            self.h3 = []
        elif "project-name" in (attributes.get("class") or ""):
            self.project = []
        elif tag == "script":
            self.scripts += 1
        if tag in ("br", "li", "span", "p", "div", "dt", "dd", "td", "th", "h2", "h3", "ul"):
            self.add(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self.current = ""
        elif tag in ("td", "th") and self.cell is not None and self.here.rows:
            self.here.rows[-1].append(squeezed("".join(self.cell)))
            self.cell = None
        elif tag == "a" and self.link is not None:
            self.here.links.append((self.link[0], "".join(self.link[1]).strip()))
            self.link = None
        elif tag == "h3" and self.h3 is not None:
            self.here.groups.append((squeezed("".join(self.h3)), []))
            self.h3 = None
        elif tag == "strong" and self.project is not None:
            self.here.groups[-1][1].append(squeezed("".join(self.project)))
            self.project = None

    def handle_data(self, data: str) -> None:
        self.add(data)

    def add(self, data: str) -> None:
        self.here.words.append(data)
        for part in (self.cell, self.h3, self.project, self.link[1] if self.link else None):
            if part is not None:
                part.append(data)


def read_page(html: str) -> PageText:
    page = PageText()
    page.feed(html)
    return page
