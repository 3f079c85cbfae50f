"""The one-line spec form, for the command line.

Grammar (whitespace is free; see README "One-line form")::

    spec   := [input '|'] seq          input := H x W x C  |  N (a vector)  |  'input' ...
    seq    := item ('|' item)*
    item   := LAYER                    e.g.  conv 10 k5 s1 p2   conv3-64   maxpool 2   fc 10
            | '(' seq ')' [('x'|'*') N]          a group, repeated N times
            | '[' seq (';' seq)+ ']'             branches concatenated along channels
            | '{' seq [';' seq] '}'              residual: body (+ projection shortcut)
            | '<' seq '>'                        gate: the input × what seq computes from it (SE)
    LAYER  := TYPE (VALUE | KEY=VALUE | SHORT VALUE | FLAG)*

This module only turns text into the same plain entries a spec file holds (layer strings, and
``repeat``/``concat``/``residual``/``layers`` mappings) with columns; :mod:`cnncalc.parse.build`
validates them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from cnncalc.errors import Location, SpecError, did_you_mean
from cnncalc.layers import LayerDef, lookup, registered_names
from cnncalc.parse.files import LocatedDict, LocatedList
from cnncalc.records import record
from cnncalc.shapes import Shape, parse_shape_text, whole_number

ONELINE_SOURCE = "<one-line spec>"
MAX_ONELINE_REPEAT = 100_000
MAX_ONELINE_NESTING = 32

_VGG_CONV = re.compile(r"^conv(\d+)(?:[x×](\d+))?-(\d+)$", re.IGNORECASE)
_VGG_FC = re.compile(r"^(?:fc|dense|linear)-(\d+)$", re.IGNORECASE)
_SHORT = re.compile(r"^([a-z_]+?)(\d[\d.x×,]*)$", re.IGNORECASE)
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")
_PAIR = re.compile(r"^(\d+)[x×,](\d+)$")
_SIGNED_SHAPE = re.compile(r"^\s*[-+−]?\d+\s*[x×*]\s*[-+−]?\d+\s*[x×*]\s*[-+−]?\d+\s*$", re.IGNORECASE)
_REPEAT = re.compile(r"\s*[x×*]\s*(\d+)")


@record
class RawLayer:
    """A layer as written, before validation: its kind, field values and where each came from."""

    kind: type[LayerDef]
    requested_type: str
    fields: dict[str, Any]
    name: str | None
    location: Location
    field_locations: Mapping[str, Location]
    shares: str | None = None  # a mapping's ``shares: NAME``: the parameters of an earlier layer


class _ShiftedLocations(Mapping[str, Location]):
    """Field locations as column offsets from a base location, made only when asked for (an error
    message needs one; a big network needs none)."""

    def __init__(self, base: Location, offsets: dict[str, int]):
        self._base = base
        self._offsets = offsets

    def __getitem__(self, key: str) -> Location:
        return _at(self._base, self._offsets[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._offsets)

    def __len__(self) -> int:
        return len(self._offsets)


# Layer text already parsed: text -> (kind, type word, fields, name, first-token offset, field offsets).
# Networks repeat the same few layer strings thousands of times; only successful parses are kept.
_PARSED: dict[str, tuple[type[LayerDef], str, dict[str, Any], str | None, int, dict[str, int]]] = {}
_PARSED_MAX = 4096


def _at(base: Location, offset: int) -> Location:
    """``base`` moved ``offset`` characters to the right."""
    return base.but(column=(base.column or 1) + offset)


def parse_value(token: str) -> Any:
    """A one-line value: int, float, ``3x3`` pair, ``[3,1]`` list, true/false, or a word."""
    low = token.lower()
    if low in ("true", "yes", "on"):
        return True
    if low in ("false", "no", "off"):
        return False
    if low in ("none", "null"):
        return None
    if _INT.match(token):
        return whole_number(token)
    pair_match = _PAIR.match(token)
    if pair_match:
        return (whole_number(pair_match.group(1)), whole_number(pair_match.group(2)))
    if token.startswith("[") and token.endswith("]"):
        return [parse_value(t.strip()) for t in token[1:-1].split(",") if t.strip()]
    if _FLOAT.match(token):
        return float(token)
    return token


def _tokens(text: str) -> list[tuple[str, int]]:
    """Whitespace-separated tokens with their 0-based offsets; ``[a, b]`` stays one token."""
    out: list[tuple[str, int]] = []
    i = 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        start = i
        depth = 0
        while i < len(text) and (depth or not text[i].isspace()):
            if text[i] == "[":
                depth += 1
            elif text[i] == "]":
                depth = max(0, depth - 1)
            i += 1
        out.append((text[start:i], start))
    return out


def unknown_type_error(word: str, location: Location) -> SpecError:
    return SpecError(
        f"unknown layer type '{word}'{did_you_mean(word, registered_names())}",
        location=location,
        hint="run 'cnncalc layers' to list the layer types",
    )


def parse_layer_text(text: str, location: Location) -> RawLayer:
    """Parse one layer written in the one-line notation, e.g. ``conv 10 k5 s1 p2 name=conv1``."""
    known = _PARSED.get(text)
    if known is None:
        raw = _parse_layer_text(text, location)
        base = location.column or 1
        offsets = {key: (loc.column or 1) - base for key, loc in raw.field_locations.items()}
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        first_at = (raw.location.column or 1) - base
        _PARSED[text] = (raw.kind, raw.requested_type, dict(raw.fields), raw.name, first_at, offsets)
        return raw
    kind, type_word, fields, name, first_at, offsets = known
    first_loc = _at(location, first_at) if first_at else location
    return RawLayer(kind, type_word, dict(fields), name, first_loc, _ShiftedLocations(location, offsets))


def _parse_layer_text(text: str, location: Location) -> RawLayer:
    tokens = _tokens(text)
    if not tokens:
        raise SpecError("empty layer (two '|' in a row?)", location=location)
    first, first_at = tokens[0]
    fields: dict[str, Any] = {}
    field_locs: dict[str, Location] = {}
    first_loc = _at(location, first_at)

    try:
        type_word, fields = _vgg_notation(first)
    except SpecError as exc:
        raise exc.with_location(first_loc) from None
    kind = lookup(type_word)
    if kind is None:
        raise unknown_type_error(type_word, first_loc)
    for key in fields:
        field_locs[key] = first_loc

    name: str | None = None
    positional = list(kind.positional)
    for key in fields:
        if key in positional:
            positional.remove(key)
    for token, offset in tokens[1:]:
        here = _at(location, offset)
        try:
            key, value = _classify(kind, token, here)
        except SpecError as exc:
            raise exc.with_location(here) from None
        if key == "name":
            name = str(value)
            continue
        if key is None:
            if not positional:
                raise SpecError(
                    f"unexpected value '{token}' for {kind.names[0]}",
                    location=here,
                    hint=_usage(kind),
                )
            key = positional.pop(0)
        elif key in positional:
            positional.remove(key)
        if isinstance(value, dict):  # a flag sets one or more fields
            for flag_key, flag_value in value.items():
                fields[flag_key] = flag_value
                field_locs[flag_key] = here
            continue
        if key in fields and field_locs.get(key) is not first_loc:
            raise SpecError(f"'{key}' is given twice", location=here, hint=_lecture_hint(kind, token))
        fields[key] = value
        field_locs[key] = here
    return RawLayer(kind, type_word, fields, name, first_loc, field_locs)


def _vgg_notation(first: str) -> tuple[str, dict[str, Any]]:
    """``conv3-64`` (3×3, pad 1, 64 filters) and ``fc-4096``: the type word and the fields they set."""
    vgg_conv = _VGG_CONV.match(first)
    if vgg_conv:
        kh = whole_number(vgg_conv.group(1))
        kw = whole_number(vgg_conv.group(2)) if vgg_conv.group(2) else kh
        return "conv", {
            "kernel": kh if kh == kw else (kh, kw),
            "padding": kh // 2 if kh == kw else (kh // 2, kw // 2),
            "filters": whole_number(vgg_conv.group(3)),
        }
    vgg_fc = _VGG_FC.match(first)
    if vgg_fc:
        return "fc", {"units": whole_number(vgg_fc.group(1))}
    return first, {}


def _classify(kind: type[LayerDef], token: str, here: Location) -> tuple[str | None, Any]:
    """Which field a token sets: ``(key, value)``; key None for a positional value; a flag
    returns its dict of field values."""
    if "=" in token:
        key, _, raw = token.partition("=")
        key = key.strip()
        if not raw:
            raise SpecError(f"'{key}=' has no value", location=here)
        if key in kind.lecture_keys:  # K=96, F=11: the slides' letters, case-sensitive
            return kind.lecture_keys[key], parse_value(raw)
        key = key.lower()
        if key == "name":
            return "name", raw
        key = kind.short_keys.get(key, key)
        if key not in kind.fields:
            raise SpecError(
                f"{kind.names[0]} has no field '{key}'" + did_you_mean(key, list(kind.fields)),
                location=here,
                hint=_usage(kind),
            )
        return key, parse_value(raw)
    low = token.lower()
    if low in kind.flags:
        return low, kind.flags[low]
    short = _SHORT.match(token)
    if short and short.group(1) in kind.lecture_keys:
        return kind.lecture_keys[short.group(1)], parse_value(short.group(2))
    if short and short.group(1).lower() in kind.short_keys:
        return kind.short_keys[short.group(1).lower()], parse_value(short.group(2))
    value = parse_value(token)
    if isinstance(value, str):
        choices = list(kind.flags) + [f"{k}N" for k in kind.short_keys]
        raise SpecError(
            f"'{token}' is not a value or option of {kind.names[0]}" + did_you_mean(token, list(kind.flags)),
            location=here,
            hint=_usage(kind) + (f"; options: {', '.join(choices)}" if choices else ""),
        )
    return None, value


def _lecture_hint(kind: type[LayerDef], token: str) -> str | None:
    """For a value given twice through a letter (``conv 96 K11``): what the letters mean."""
    if not kind.lecture_keys:
        return None
    if "=" in token:
        letter = token.split("=", 1)[0].strip()
    else:
        short = _SHORT.match(token)
        letter = short.group(1) if short else ""
    if letter not in kind.lecture_keys and letter.lower() not in kind.short_keys:
        return None
    lecture = ", ".join(f"{k} = {v}" for k, v in kind.lecture_keys.items())
    small = ", ".join(f"{k} = {v}" for k, v in kind.short_keys.items())
    return f"capital letters are the slides' ({lecture}); small ones: {small}"


def _usage(kind: type[LayerDef]) -> str:
    """A one-line usage string for a layer kind, e.g. ``conv FILTERS KERNEL [s=1] [p=0] ...``;
    an optional positional value is in brackets (``maxpool [KERNEL] [STRIDE]``)."""
    if kind.usage:
        return "usage: " + kind.usage
    parts = [kind.names[0]] + [
        p.upper() if kind.fields[p].required else f"[{p.upper()}]" for p in kind.positional
    ]
    for name, spec in kind.fields.items():
        if name in kind.positional:
            continue
        parts.append(f"{name}=…" if spec.required else f"[{name}={spec.default!r}]")
    return "usage: " + " ".join(parts)


# ---------------------------------------------------------------------------------------------
# The whole line
# ---------------------------------------------------------------------------------------------


class _LineParser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.base = Location(source=ONELINE_SOURCE, column=1, text=text)
        self.depth = 0  # open brackets around the current position

    def loc(self, offset: int) -> Location:
        return _at(self.base, offset)

    def error(self, message: str, offset: int, hint: str | None = None) -> SpecError:
        return SpecError(message, location=self.loc(offset), hint=hint)

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def seq(self, closers: str) -> LocatedList:
        items = LocatedList()
        items.loc = self.loc(self.pos)
        while True:
            self.skip_space()
            start = self.pos
            item = self.item(closers)
            items.append(item)
            items.item_locs.append(self.loc(start))
            self.skip_space()
            if self.pos < len(self.text) and self.text[self.pos] == "|":
                self.pos += 1
                continue
            return items

    def item(self, closers: str) -> Any:
        if self.pos >= len(self.text):
            raise self.error("missing layer at the end of the spec", self.pos)
        char = self.text[self.pos]
        start = self.pos
        if char in "([{<":
            self.depth += 1
            if self.depth > MAX_ONELINE_NESTING:
                raise self.error(
                    f"brackets are nested more than {MAX_ONELINE_NESTING} levels deep",
                    start,
                    hint="a spec file with named blocks is easier to read for deep structures",
                )
            try:
                return self.group(char, start, closers)
            finally:
                self.depth -= 1
        return self.layer(char, start, ">" if ">" in closers else "")

    def group(self, char: str, start: int, closers: str) -> Any:
        """``( … )xN``, ``[ … ; … ]`` or ``{ … ; … }`` starting at ``start``."""
        if char == "(":
            self.pos += 1
            body = self.seq(")")
            self.expect(")", start)
            match = _REPEAT.match(self.text, self.pos)
            entry = LocatedDict()
            entry.loc = self.loc(start)
            if match:
                digits = match.group(1)
                if len(digits) > len(str(MAX_ONELINE_REPEAT)) or int(digits) > MAX_ONELINE_REPEAT:
                    shown = (
                        f"{int(digits):,}" if len(digits) <= 30 else f"{digits[:8]}… ({len(digits):,} digits)"
                    )
                    raise self.error(
                        f"repeat count {shown} is over the limit of {MAX_ONELINE_REPEAT:,}", match.start(1)
                    )
                count = int(digits)
                self.pos = match.end()
                entry["repeat"] = count
                entry.key_locs["repeat"] = self.loc(match.start(1))
            else:
                entry["repeat"] = 1
            entry["layers"] = body
            return entry
        if char == "[":
            self.pos += 1
            branches = self.branches("]", start)
            if len(branches) < 2:
                raise self.error("concatenation needs two or more branches separated by ';'", start)
            entry = LocatedDict(concat=branches)
            entry.loc = self.loc(start)
            return entry
        if char == "<":
            self.pos += 1
            body = self.seq(">")
            self.expect(">", start)
            entry = LocatedDict(gate=body)
            entry.loc = self.loc(start)
            return entry
        if char == "{":
            self.pos += 1
            branches = self.branches("}", start)
            if len(branches) > 2:
                raise self.error("a residual has a body and at most one shortcut: { body ; shortcut }", start)
            entry = LocatedDict(residual=branches[0])
            if len(branches) == 2:
                entry["shortcut"] = branches[1]
            entry.loc = self.loc(start)
            return entry

    def layer(self, char: str, start: int, also_ends: str = "") -> Any:
        """A layer's text up to the next separator (and ``>`` inside a gate, where it closes)."""
        if char in "|;)]}>":
            raise self.error(f"expected a layer before '{char}'", start)
        end, depth = start, 0
        while end < len(self.text):
            c = self.text[end]
            if c == "[":
                depth += 1
            elif c == "]" and depth:
                depth -= 1
            elif (c in "|;(){}]" or c in also_ends) and not depth:
                break
            end += 1
        raw = self.text[start:end]
        self.pos = end
        stripped = raw.rstrip()
        if not stripped:
            raise self.error("empty layer", start)
        return _LayerText(stripped, self.loc(start))

    def branches(self, closer: str, start: int) -> LocatedList:
        out = LocatedList()
        out.loc = self.loc(start)
        while True:
            out.append(self.seq(";" + closer))
            out.item_locs.append(self.loc(self.pos))
            self.skip_space()
            if self.pos < len(self.text) and self.text[self.pos] == ";":
                self.pos += 1
                continue
            self.expect(closer, start)
            return out

    def expect(self, char: str, opened_at: int) -> None:
        self.skip_space()
        if self.pos >= len(self.text) or self.text[self.pos] != char:
            found = "the end" if self.pos >= len(self.text) else f"'{self.text[self.pos]}'"
            raise self.error(
                f"expected '{char}' to close the '{ {')': '(', ']': '[', '}': '{', '>': '<'}[char] }' "
                f"opened at column {opened_at + 1}, found {found}",
                self.pos,
            )
        self.pos += 1


class _LayerText(str):
    """A layer's text in a one-line spec, carrying its location."""

    loc: Location

    def __new__(cls, text: str, loc: Location) -> _LayerText:
        obj = super().__new__(cls, text)
        obj.loc = loc
        return obj


def oneline_input_text(text: str) -> str:
    """The input size as written at the start of a one-line spec (``input`` word removed)."""
    head_end = text.find("|")
    head = text[: head_end if head_end >= 0 else len(text)].strip()
    head_words = head.split()
    if head_words and head_words[0].lower() == "input":
        head = " ".join(head_words[1:])
    return head


def parse_oneline(text: str, order: str = "hwc") -> tuple[Shape, LocatedList, Location]:
    """Split a one-line spec into its input shape (read H×W×C, or C×H×W when ``order='chw'``) and
    its entries (with columns)."""
    parser = _LineParser(text)
    parser.skip_space()
    head_end = text.find("|")
    head = oneline_input_text(text)
    try:
        shape = parse_shape_text(head, order)
        if shape is None and head.isdigit() and head.isascii():  # a vector: '13 | fc 8 | fc 4'
            shape = Shape(whole_number(head))
    except SpecError as exc:
        raise exc.with_location(parser.loc(parser.pos)) from None
    if shape is None and _SIGNED_SHAPE.match(head) and ("-" in head or "−" in head):
        raise SpecError(
            f"the input size '{head}' has a negative number; sizes are whole numbers from 1",
            location=parser.loc(parser.pos),
            hint="write the input as C×H×W, e.g. 3x227x227"
            if order == "chw"
            else "write the input as H×W×C, e.g. 227x227x3",
        )
    if shape is None:
        raise SpecError(
            f"a one-line spec starts with its input size, e.g. '32x32x3 | …'; got '{head}'",
            location=parser.loc(parser.pos),
            hint="write the input as C×H×W, e.g. 3x227x227, or a vector's length, e.g. 13"
            if order == "chw"
            else "write the input as H×W×C, e.g. 227x227x3, or a vector's length, e.g. 13",
        )
    input_loc = parser.loc(parser.pos)
    for value, what in ((shape.height, "height"), (shape.width, "width"), (shape.channels, "channels")):
        if value is not None and not value:
            raise SpecError(f"input {what} must be positive", location=input_loc)
    if head_end < 0:
        raise SpecError(
            "the spec has an input but no layers",
            location=parser.loc(len(text)),
            hint="add layers after '|', e.g. '32x32x3 | conv 10 k5'",
        )
    parser.pos = head_end + 1
    entries = parser.seq("")
    parser.skip_space()
    if parser.pos < len(text):
        raise parser.error(f"unexpected '{text[parser.pos]}'", parser.pos)
    return shape, entries, input_loc


def looks_like_oneline(text: str) -> bool:
    """True when ``text`` is a one-line spec rather than a file path or bundled name."""
    return "|" in text or parse_shape_text(oneline_input_text(text)) is not None
