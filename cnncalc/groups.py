"""Grouped views of a report (``summary --depth N``): the layers gathered by scope, exact sums.

A layer's scope is the dotted prefix of its qualified name: at depth 1 ``layer1.0.conv1`` belongs to
``layer1``, at depth 2 to ``layer1.0``. Consecutive layers with the same scope form one group; a
layer whose name has at most N parts is its own row, unless it names the scope of its neighbours
(GoogLeNet's concat ``inception3a`` closes the group ``inception3a``). Every number of a group is the
sum over the layers it holds, so the groups add up to the totals exactly. Data only, no formatting:
the table, Markdown, CSV, LaTeX, JSON and the pictures all read these rows.

Also here: which rows show a "Connected to" entry (:func:`shown_inputs`).
"""

from __future__ import annotations

from collections.abc import Sequence

from cnncalc.analysis import INPUT_NAME
from cnncalc.records import replace
from cnncalc.report import GroupRow, LayerRow, Report

GROUP_TYPE = "group"


def scope_of(name: str, depth: int) -> str:
    """The first ``depth`` parts of a dotted name (the name itself when it has fewer)."""
    parts = name.split(".")
    return name if len(parts) <= depth else ".".join(parts[:depth])


def group_layers(report: Report, depth: int) -> list[GroupRow]:
    """The rows of the view at ``depth`` (≥ 1): groups of consecutive layers sharing a scope."""
    if depth < 1:
        raise ValueError("depth must be at least 1")
    runs: list[tuple[str, list[LayerRow]]] = []
    for row in report.layers:
        scope = scope_of(row.name, depth)
        if runs and runs[-1][0] == scope:
            runs[-1][1].append(row)
        else:
            runs.append((scope, [row]))
    owner = {row.name: scope for scope, rows in runs for row in rows}  # layer → its group's name
    groups = []
    for position, (scope, rows) in enumerate(runs, start=1):
        single = len(rows) == 1 and rows[0].name == scope
        held = {row.name for row in rows}
        inputs: list[str] = []
        for row in rows:
            for source in row.inputs:
                if source not in held:
                    name = owner.get(source, INPUT_NAME if source == INPUT_NAME else source)
                    if name not in inputs:
                        inputs.append(name)
        allocated = [row for row in rows if not row.in_place and row.inference]
        running = [row for row in rows if row.inference]  # a training-only head adds no MACs
        last = rows[-1]
        groups.append(
            GroupRow(
                index=position,
                name=scope,
                kind="layer" if single else "group",
                type=last.type if single else GROUP_TYPE,
                level=scope.count(".") + 1,
                first=rows[0].index,
                last=last.index,
                layers=[row.name for row in rows],
                inputs=inputs,
                output_shape=last.output_shape,
                weights=sum(row.weights for row in rows),
                biases=sum(row.biases for row in rows),
                params=sum(row.params for row in rows),
                buffers=sum(row.buffers for row in rows),
                macs=sum(row.macs for row in running),
                flops=sum(row.flops for row in running),
                activation_elements=sum(row.activation_elements for row in allocated),
                activation_bytes=sum(row.activation_bytes for row in allocated),
                receptive_field=last.receptive_field,
                warnings=sum(len(row.warnings) for row in rows),
            )
        )
    return groups


def grouped_report(report: Report, depth: int) -> Report:
    """``report`` with its grouped rows at ``depth`` (what ``summary --depth N --json`` prints)."""
    return replace(report, depth=depth, groups=group_layers(report, depth))


def shown_inputs(rows: Sequence[LayerRow | GroupRow]) -> list[list[str]]:
    """For each row, the inputs worth a "Connected to" entry: those of a row that reads more than one
    output (a merge) or anything but the row just before it (a branch, a skip); else nothing."""
    shown = []
    previous = INPUT_NAME
    for row in rows:
        inputs = list(row.inputs)
        shown.append([] if inputs == [previous] else inputs)
        previous = row.name
    return shown
