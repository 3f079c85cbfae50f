"""The columns of the summary views, shared by the terminal table, Markdown and LaTeX.

A row is a :class:`~cnncalc.report.LayerRow` (one layer) or a :class:`~cnncalc.report.GroupRow`
(a scope, ``--depth N``); every column reads both. ``--columns`` picks columns by the keys of
:data:`COLUMNS`; the default set is :data:`DEFAULT_COLUMNS` (plus "connected" where a row reads
anything but the row before it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cnncalc.errors import UsageError
from cnncalc.i18n import _, translate_message
from cnncalc.render.numbers import exact, megabytes, si
from cnncalc.render.text import rf_text
from cnncalc.report import GroupRow, LayerRow, Report

Row = LayerRow | GroupRow

DEFAULT_COLUMNS = ("index", "layer", "type", "output", "params", "macs", "memory", "rf")
SHARE_COLUMNS = ("params%", "macs%", "memory%")
ALL_COLUMNS = (*DEFAULT_COLUMNS, "connected", *SHARE_COLUMNS)
ALIASES = {"#": "index", "name": "layer", "inputs": "connected", "connected-to": "connected"}
# Left out first when a terminal is too narrow (names are never the ones cut short).
DROP_ORDER = ("connected", "rf", "memory%", "macs%", "params%", "type", "memory", "index")
BAR_WIDTH = 8
_EIGHTHS = " ▏▎▍▌▋▊▉"


def order_name(order: str) -> str:
    return "H×W×C" if order == "hwc" else "C×H×W"


def parse_columns(text: str | None) -> tuple[str, ...] | None:
    """``--columns layer,output,params%`` as column keys (None: the default set)."""
    if text is None:
        return None
    keys = []
    for word in (w.strip().lower() for w in text.split(",")):
        if not word:
            continue
        key = ALIASES.get(word, word)
        if key == "all":
            keys.extend(k for k in ALL_COLUMNS if k not in keys)
            continue
        if key not in ALL_COLUMNS:
            from cnncalc.errors import did_you_mean

            raise UsageError(
                _("--columns: unknown column '{word}'").format(word=word)
                + translate_message(did_you_mean(word, list(ALL_COLUMNS))),
                hint=_("columns: {names} (or 'all')").format(names=", ".join(ALL_COLUMNS)),
            )
        if key not in keys:
            keys.append(key)
    if "layer" not in keys:
        keys.insert(1 if keys[:1] == ["index"] else 0, "layer")
    return tuple(keys)


def chosen_columns(rows: Sequence[Row], shown: Sequence[Sequence[str]], columns: Sequence[str] | None):
    """The columns to show: ``columns``, or the default set with "connected" where it says something."""
    if columns is not None:
        return tuple(columns)
    return (*DEFAULT_COLUMNS, "connected") if any(shown) else DEFAULT_COLUMNS


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """A bar of ``width`` characters filled to ``fraction`` (0–1) in eighths of a character."""
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[part] if part else "")).ljust(width)


def counted_bytes(row: Row) -> int:
    """Activation bytes of a row that count in the sum of activations (in-place layers do not)."""
    if isinstance(row, LayerRow) and row.in_place:
        return 0
    return row.activation_bytes


def share(value: int, total: int) -> float:
    return value / total if total else 0.0


def share_text(value: int, total: int) -> str:
    return f"{100 * share(value, total):.1f}%"


def header(key: str, report: Report) -> tuple[str, str]:
    """The two header lines of a column."""
    order = report.settings.order
    return {
        "index": ("", "#"),
        "layer": ("", _("Layer")),
        "type": ("", _("Type")),
        "output": (_("Output"), order_name(order)),
        "params": ("", _("Params")),
        "macs": ("", "MACs"),
        "memory": (_("Memory"), f"batch {report.settings.batch}"),
        "rf": ("", "RF"),
        "connected": ("", _("Connected to")),
        "params%": (_("Params"), _("share")),
        "macs%": ("MACs", _("share")),
        "memory%": (_("Memory"), _("share")),
    }[key]


def index_text(row: Row) -> str:
    if isinstance(row, GroupRow):
        return str(row.first) if row.first == row.last else f"{row.first}–{row.last}"
    return str(row.index)


def type_text(row: Row) -> str:
    if isinstance(row, GroupRow) and row.kind == "group":
        return _("{count} layers").format(count=len(row.layers))
    return row.type


def memory_text(row: Row) -> str:
    """A layer's output bytes; a group's new tensors ('–' when its layers all work in place)."""
    if isinstance(row, GroupRow) and not row.activation_bytes:
        return "–"
    return megabytes(row.activation_bytes)


def rf_cell(row: Row) -> str:
    size, jump = rf_text(row)  # type: ignore[arg-type]
    return size if not jump or jump == "1" else f"{size} /{jump}"


def macs_text(row: Row) -> str:
    """``1.20 M``; in parentheses for a training-only head's layer (not in the inference totals);
    "not counted" for an operation cnncalc cannot count."""
    if not getattr(row, "counted", True):
        return _("not counted")
    if not row.macs:
        return "–"
    return si(row.macs) if getattr(row, "inference", True) else f"({si(row.macs)})"


def cell_functions(report: Report, *, bars: bool) -> dict[str, Callable[[Row], str]]:
    """For each column key, the text of a row's cell (``bars``: share columns end with a bar)."""
    order = report.settings.order
    totals = report.totals
    layer_bytes = max(1, totals.activation_sum_bytes)

    def shared(value: Callable[[Row], int], total: int, largest: int) -> Callable[[Row], str]:
        if not bars:
            return lambda row: share_text(value(row), total)
        return lambda row: f"{share_text(value(row), total):>6} {bar(share(value(row), largest))}"

    rows: Sequence[Row] = report.groups if report.groups is not None else report.layers
    most = {
        "params": max((r.params for r in rows), default=0),
        "macs": max((r.macs for r in rows), default=0),
        "memory": max((counted_bytes(r) for r in rows), default=0),
    }
    return {
        "index": index_text,
        "layer": lambda row: row.name,
        "type": type_text,
        "output": lambda row: row.output_shape.text(order),
        "params": lambda row: exact(row.params) if row.params else "–",
        "macs": macs_text,
        "memory": memory_text,
        "rf": rf_cell,
        "connected": lambda row: "",  # filled from shown_inputs by the renderers
        "params%": shared(lambda r: r.params, totals.params, most["params"]),
        "macs%": shared(lambda r: r.macs, totals.macs, most["macs"]),
        "memory%": shared(counted_bytes, layer_bytes, most["memory"]),
    }


RIGHT_ALIGNED = frozenset({"index", "output", "params", "macs", "memory", "rf", *SHARE_COLUMNS})
