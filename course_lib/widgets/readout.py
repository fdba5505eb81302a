"""The readout under each figure: colours, the status sentence, a small table."""
from __future__ import annotations

import html

ERROR_COLOR = "#d62728"
MINIMUM_COLOR = "#2ca02c"   # a run that stopped on a minimum the Hessian confirms
WARNING_COLOR = "#ff7f0e"   # a run that stopped on a saddle, a maximum or a flat point
NO_WRAP = "white-space:nowrap"


def compact(value: float, digits: int = 4) -> str:
    """`value` in at most `digits` significant digits, its exponent without padding:
    4.398e-09 -> "4.398e-9", 0.30000000000000004 -> "0.3", 12345.6 -> "1.235e4".
    """
    mantissa, _, exponent = f"{value:.{digits}g}".partition("e")
    return f"{mantissa}e{int(exponent)}" if exponent else mantissa


def status_html(status: str, message: str, kind: str | None = None) -> str:
    """The status in colour: red when diverged, green only on a minimum the Hessian confirms,
    orange on any other point with a small gradient (a saddle is not a success).
    """
    color = {"diverged": ERROR_COLOR, "stationary": MINIMUM_COLOR if kind == "minimum"
             else WARNING_COLOR}.get(status, "inherit")
    return f'<span style="color:{color}">{html.escape(message or status)}</span>'


def html_table(header, rows) -> str:
    """A table of `rows` under `header`; a number or a point stays on one line (only the last
    column, a status sentence, may wrap).
    """
    cells = "".join(f"<th style='padding:0 8px'>{h}</th>" for h in header)

    def row_html(row) -> str:
        styles = [f"padding:0 8px;{NO_WRAP}"] * (len(row) - 1) + ["padding:0 8px"]
        return "".join(f"<td style='{style}'>{c}</td>" for style, c in zip(styles, row, strict=True))
    body = "".join(f"<tr>{row_html(row)}</tr>" for row in rows)
    return f"<table style='font-family:monospace'><tr>{cells}</tr>{body}</table>"
