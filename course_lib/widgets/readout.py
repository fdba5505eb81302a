"""The readout under each figure: colours, the status sentence, a small table."""
from __future__ import annotations

import html

ERROR_COLOR = "#d62728"
MINIMUM_COLOR = "#2ca02c"   # a run that stopped on a minimum the Hessian confirms
WARNING_COLOR = "#ff7f0e"   # a run that stopped on a saddle, a maximum or a flat point


def status_html(status: str, message: str, kind: str | None = None) -> str:
    """The status in colour: red when diverged, green only on a minimum the Hessian confirms,
    orange on any other point with a small gradient (a saddle is not a success)."""
    color = {"diverged": ERROR_COLOR, "stationary": MINIMUM_COLOR if kind == "minimum"
             else WARNING_COLOR}.get(status, "inherit")
    return f'<span style="color:{color}">{html.escape(message or status)}</span>'


def html_table(header, rows) -> str:
    cells = "".join(f"<th style='padding:0 8px'>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td style='padding:0 8px'>{c}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table style='font-family:monospace'><tr>{cells}</tr>{body}</table>"
