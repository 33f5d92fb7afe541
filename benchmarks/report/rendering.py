"""The report's blocks (headings, paragraphs, tables, figures, folded parts) and their two renderings: Markdown
(``report.md``) and HTML (``report.html``).

Text in blocks is one line of a small Markdown subset: `code` and **bold**. Figures are PNG files in
``figures/`` beside the report; the HTML either links them (``<img src="figures/...">``) or, self-contained,
embeds them as data URIs so that the file alone is the whole report.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

FIGURES_FOLDER = "figures"
STYLE = ("body{font-family:sans-serif;max-width:72em;margin:2em auto;padding:0 1em;line-height:1.4;"
         "overflow-wrap:anywhere}"
         ".table{overflow-x:auto;max-width:100%}table{border-collapse:collapse;margin:1em 0}"
         "th,td{border:1px solid #bbb;padding:.25em .6em;text-align:right;overflow-wrap:normal}"
         "th:first-child,td:first-child{text-align:left;min-width:10em}th{background:#eee}"
         "figure{margin:1em 0}img{max-width:100%;height:auto}figcaption{font-size:.9em;color:#444}"
         "code{background:#f4f4f4}summary{cursor:pointer;font-weight:bold}")


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]


@dataclass(frozen=True)
class Image:
    """A figure: its file name in ``figures/``, the caption under it and the PNG bytes."""

    file_name: str
    caption: str
    png: bytes

    @property
    def path(self) -> str:
        return f"{FIGURES_FOLDER}/{self.file_name}"


@dataclass(frozen=True)
class Folded:
    """Blocks shown only when the reader unfolds them (``<details>``), under a one-line summary."""

    summary: str
    blocks: Sequence[Block]


Block = Heading | Paragraph | Table | Image | Folded


def markdown(blocks: Sequence[Block]) -> str:
    """The blocks as Markdown (folded parts as ``<details>``, which GitHub and most viewers render)."""
    parts = []
    for block in blocks:
        if isinstance(block, Heading):
            parts.append(f"{'#' * block.level} {block.text}")
        elif isinstance(block, Paragraph):
            parts.append(block.text)
        elif isinstance(block, Table):
            lines = [block.headers, ["---"] * len(block.headers), *block.rows]
            parts.append("\n".join("| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |"
                                   for line in lines))
        elif isinstance(block, Folded):
            parts.append(f"<details><summary>{html.escape(block.summary)}</summary>\n\n"
                         f"{markdown(block.blocks)}\n</details>")
        else:
            parts.append(f"![{block.file_name}]({block.path})\n\n*{block.caption}*")
    return "\n\n".join(parts) + "\n"


def page(blocks: Sequence[Block], title: str, *, self_contained: bool = False) -> str:
    """The blocks as an HTML page; figures linked from ``figures/``, or embedded when ``self_contained``."""
    head = (f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>\n<body>")
    return "\n".join([head, _body(blocks, self_contained), "</body>\n</html>\n"])


def _body(blocks: Sequence[Block], self_contained: bool) -> str:
    parts = []
    for block in blocks:
        if isinstance(block, Heading):
            parts.append(f"<h{block.level}>{_inline(block.text)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            parts.append(f"<p>{_inline(block.text)}</p>")
        elif isinstance(block, Table):
            head = "".join(f"<th>{_inline(cell)}</th>" for cell in block.headers)
            body = "\n".join("<tr>" + "".join(f"<td>{_inline(cell)}</td>" for cell in row) + "</tr>"
                             for row in block.rows)
            parts.append(f'<div class="table"><table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n'
                         f"</table></div>")
        elif isinstance(block, Folded):
            parts.append(f"<details><summary>{_inline(block.summary)}</summary>\n{_body(block.blocks, self_contained)}"
                         f"\n</details>")
        else:
            source = (f"data:image/png;base64,{base64.b64encode(block.png).decode('ascii')}" if self_contained
                      else html.escape(block.path))
            parts.append(f'<figure><img alt="{html.escape(block.file_name)}" src="{source}">'
                         f"<figcaption>{_inline(block.caption)}</figcaption></figure>")
    return "\n".join(parts)


def _inline(text: str) -> str:
    """Escaped HTML of one line of the report's Markdown subset (`code` spans and **bold**)."""
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", text)
