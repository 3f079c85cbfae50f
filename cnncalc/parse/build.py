"""Turn parsed entries (from a file or a one-line spec) into a resolved :class:`Network`.

Blocks are called with their arguments substituted (``${...}``, see :mod:`cnncalc.parse.expr`),
repeats are unrolled, every layer is validated by its kind's declared fields, and every error is
raised with the location of the entry that caused it. Work is bounded: at most
:data:`MAX_LAYERS` layers after expansion and :data:`MAX_DEPTH` nested structures.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cnncalc._gc import paused_gc
from cnncalc.errors import CnncalcError, Location, SpecError, did_you_mean
from cnncalc.layers import LayerDef, lookup
from cnncalc.layers.base import InvalidField, canonical_name
from cnncalc.parse.expr import substitute
from cnncalc.parse.files import location_of
from cnncalc.parse.oneline import RawLayer, _usage, parse_layer_text, unknown_type_error
from cnncalc.parse.taps import resolve_taps
from cnncalc.records import record, replace
from cnncalc.shapes import LIMIT_HINT, MAX_DIMENSION, Shape, parse_shape_text
from cnncalc.spec import LayerNode, MergeNode, Network, SequenceNode, SideNode, TapNode

MAX_LAYERS = 500_000
MAX_REPEAT = 1_000_000
MAX_DEPTH = 64

_STRUCTURE_KEYS = {
    "repeat": {"repeat", "layers", "name", "start", "numbered", "index"},
    "concat": {"concat", "name", "inline"},
    "residual": {"residual", "shortcut", "name"},
    "block": {"block", "args", "name"},
    "side": {"side", "name", "train_only"},
    "gate": {"gate", "name"},
    "add": {"add", "name"},
    "mul": {"mul", "name"},
    "from": {"from"},
    "if": {"if", "then", "else"},
    "layers": {"layers", "name"},
}


class NameScope:
    """Names: a prefix such as ``layer1.0.`` and per-type counters for automatic names. (A plain
    class: nested specs make one per block call.)"""

    __slots__ = ("counters", "prefix", "suffixes", "used")

    def __init__(self, prefix: str = ""):
        self.prefix = prefix
        self.counters: dict[str, int] = {}
        self.used: set[str] = set()
        self.suffixes: dict[str, int] = {}  # the last suffix given per name

    def child(self, segment: str) -> NameScope:
        segment = self.unique(segment)
        return NameScope(prefix=f"{self.prefix}{segment}.")

    def unique(self, name: str) -> str:
        candidate, n = name, self.suffixes.get(name, 1)
        while candidate in self.used:
            n += 1
            candidate = f"{name}_{n}"
        if n > 1:
            self.suffixes[name] = n  # the next clash starts here: linear, not quadratic, in repeats
        self.used.add(candidate)
        return candidate

    def auto(self, base: str) -> str:
        n = self.counters.get(base, 0) + 1
        self.counters[base] = n
        return self.unique(f"{base}{n}")


@record(frozen=False)
class _Block:
    args: dict[str, Any]
    layers: list[Any]
    location: Location | None
    templated: bool = True  # holds a '$': calls substitute arguments (else they skip that work)


def _has_placeholder(value: Any) -> bool:
    """Whether ``$`` occurs in any string value of ``value`` (what :func:`substitute` replaces)."""
    if isinstance(value, str):
        return "$" in value
    if isinstance(value, list):
        return any(_has_placeholder(v) for v in value)
    if isinstance(value, dict):
        return any(_has_placeholder(v) for v in value.values())
    return False


@record
class _Expansion:
    """A block call's expansion into a fresh scope, kept for the next identical call: the nodes
    (named under ``prefix``), the scope's naming state after it, and how many layers it holds."""

    prefix: str
    nodes: tuple[Any, ...]
    counters: dict[str, int]
    used: frozenset[str]
    suffixes: dict[str, int]
    layers: int
    taps: int = 0


class _Builder:
    # Reuse the expansion of a block call made again with the same arguments at the same place
    # into a fresh scope (a repeat's copies, a named call): its nodes are renamed, not rebuilt.
    reuse_expansions = True

    def __init__(self, source: str, blocks: dict[str, _Block], arguments: dict[str, Any] | None = None):
        self.source = source
        self.blocks = blocks
        self.arguments = arguments or {}  # the network's own arguments: seen by every block
        self.count = 0
        self.taps = 0  # ``from:`` references, resolved once the whole network is built
        self.layer_defs: dict[str, LayerDef] = {}  # built layers by name (for ``shares:``)
        self.stack: list[str] = []
        self.expansions: dict[tuple[Any, ...], _Expansion] = {}

    # -- sequences and entries ------------------------------------------------------------------
    def sequence(
        self, entries: Any, path: str, scope: NameScope, env: dict[str, Any] | None, depth: int
    ) -> tuple[Any, ...]:
        if not isinstance(entries, list):
            raise SpecError(
                f"'{path}' must be a list of layers, not {_kind_of(entries)}",
                location=_with_path(location_of(entries), path),
            )
        if depth > MAX_DEPTH:
            raise SpecError(
                f"structures are nested more than {MAX_DEPTH} levels deep",
                location=_with_path(location_of(entries), path),
            )
        item_locs = getattr(entries, "item_locs", [])
        nodes: list[Any] = []
        for i, entry in enumerate(entries):
            loc = getattr(entry, "loc", None) or (item_locs[i] if i < len(item_locs) else None)
            loc = loc or location_of(entries) or Location(self.source)
            nodes.extend(self.entry(entry, f"{path}[{i}]", loc, scope, env, depth))
        return tuple(nodes)

    def entry(
        self,
        entry: Any,
        path: str,
        loc: Location,
        scope: NameScope,
        env: dict[str, Any] | None,
        depth: int,
    ) -> list[Any]:
        if env is not None:
            try:
                entry = _substitute_entry(entry, env)
            except CnncalcError as exc:
                raise exc.with_location(_with_path(loc, path)) from None
        if isinstance(entry, str):
            raw = parse_layer_text(entry, _with_path(loc, path))
            return [self.layer(raw, path, scope)]
        if not isinstance(entry, dict):
            raise SpecError(
                f"a layer must be a string such as 'conv 64 k3' or a mapping, not {_kind_of(entry)}",
                location=_with_path(loc, path),
            )
        if "type" in entry:
            return [self.layer(self.raw_from_mapping(entry, _with_path(loc, path)), path, scope)]
        for kind in _STRUCTURE_KEYS:
            if kind in entry:
                break
        else:
            keys = ", ".join(map(str, entry)) or "nothing"
            maybe = next((k for k in entry if lookup(str(k))), None)
            hint = (
                f"write it as {{type: {maybe}, ...}} or as the string '{maybe} ...'"
                if maybe
                else "a mapping needs 'type' (a layer) or one of: " + ", ".join(_STRUCTURE_KEYS)
            )
            raise SpecError(
                f"entry has no 'type' (it has: {keys})", location=_with_path(loc, path), hint=hint
            )
        _check_keys(entry, _STRUCTURE_KEYS[kind], kind, loc, path)
        name = entry.get("name")
        if name is not None and not isinstance(name, str | int):
            raise SpecError("'name' must be a string", location=_with_path(loc, path))
        name = None if name is None else str(name)
        depth += 1
        if kind == "block":
            return [self.call(entry, path, loc, scope, depth, name)]
        where = _with_path(loc, path)
        if kind == "repeat":
            return self.repeat(entry, path, where, scope, env, depth, name)
        if kind == "concat":
            return [self.concat(entry, path, where, scope, env, depth, name)]
        if kind == "residual":
            return [self.residual(entry, path, where, scope, env, depth, name)]
        if kind == "side":
            return [self.side(entry, path, where, scope, env, depth, name)]
        if kind == "gate":
            return [self.gate(entry, path, where, scope, env, depth, name)]
        if kind in ("add", "mul"):
            return [self.elementwise(kind, entry, path, where, scope, env, depth, name)]
        if kind == "from":
            return [self.tap(entry["from"], path, where, scope)]
        if kind == "if":
            chosen = _chosen_branch(entry, where)
            if chosen is None:
                return []
            key, entries = chosen
            return list(self.sequence(entries, f"{path}.{key}", scope, env, depth))
        inner = scope.child(name) if name else scope
        children = self.sequence(entry["layers"], f"{path}.layers", inner, env, depth)
        if not name:
            return list(children)
        return [SequenceNode(children, name=name, path=path, scope=inner.prefix[:-1])]

    # -- structures ---------------------------------------------------------------------------------
    def repeat(
        self,
        entry: dict[str, Any],
        path: str,
        where: Location,
        scope: NameScope,
        env: dict[str, Any] | None,
        depth: int,
        name: str | None,
    ) -> list[Any]:
        count = entry["repeat"]
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise SpecError(f"'repeat' must be a whole number ≥ 0, not {count!r}", location=where)
        if count > MAX_REPEAT:
            raise SpecError(
                f"repeat count {count:,} is over the limit of {MAX_REPEAT:,}",
                location=where,
                hint="a real network repeats a block tens of times, not millions",
            )
        if "layers" not in entry:
            raise SpecError("'repeat' needs 'layers': the list to repeat", location=where)
        start = entry.get("start", 0)
        if isinstance(start, bool) or not isinstance(start, int):
            raise SpecError(f"'start' must be a whole number, not {start!r}", location=where)
        numbered = bool(entry.get("numbered", name is not None))
        index = entry.get("index")
        if index is not None and not (isinstance(index, str) and index.isidentifier()):
            raise SpecError(
                f"'index' must be a name such as i, not {index!r}",
                location=where,
                hint="the copies' layers can then use $i or ${i + 1}: start, start + 1, …",
            )
        outer = scope.child(name) if name else scope
        copies: list[Any] = []
        before = self.count
        for i in range(count):
            inner = outer.child(str(start + i)) if numbered else outer
            copy_env = env if index is None else {**(env or {}), index: start + i}
            body = self.sequence(entry["layers"], f"{path}.layers", inner, copy_env, depth)
            copies.append(
                SequenceNode(body, name=str(start + i), path=path, scope=inner.prefix[:-1])
                if numbered
                else body
            )
            if i == 0:
                per_copy = self.count - before
                if self.count + per_copy * (count - 1) > MAX_LAYERS:
                    raise SpecError(
                        f"repeat of {count:,} × {per_copy:,} layers is over the limit of "
                        f"{MAX_LAYERS:,} layers in one network",
                        location=where,
                    )
        nodes: list[Any] = []
        for copy in copies:
            if isinstance(copy, SequenceNode):
                nodes.append(copy)
            else:
                nodes.extend(copy)
        if not name:
            return nodes
        return [SequenceNode(tuple(nodes), name=name, path=path, scope=outer.prefix[:-1])]

    def branches_of(self, value: Any, key: str, where: Location) -> list[Any]:
        if not isinstance(value, list) or not all(isinstance(b, list) for b in value):
            raise SpecError(f"'{key}' must be a list of branches, each a list of layers", location=where)
        return value

    def concat(
        self,
        entry: dict[str, Any],
        path: str,
        where: Location,
        scope: NameScope,
        env: dict[str, Any] | None,
        depth: int,
        name: str | None,
    ) -> MergeNode:
        branches = self.branches_of(entry["concat"], "concat", where)
        if len(branches) < 2:
            raise SpecError("'concat' needs two or more branches", location=where)
        if all(not branch for branch in branches):
            raise SpecError(
                "every branch of this 'concat' is empty",
                location=where,
                hint="an empty branch is the input itself; give at least one branch layers",
            )
        merge_name = scope.unique(name) if name else scope.auto("concat")
        inline = _flag(entry, "inline", where)
        seqs = []
        if inline:  # no scope of its own: the branches' layers are named in the enclosing scope
            for i, branch in enumerate(branches):
                children = self.sequence(branch, f"{path}.concat[{i}]", scope, env, depth)
                seqs.append(SequenceNode(children, name=None, path=f"{path}.concat[{i}]"))
            return MergeNode(tuple(seqs), "concat", scope.prefix + merge_name, path, where)
        inner = NameScope(prefix=f"{scope.prefix}{merge_name}.")
        for i, branch in enumerate(branches):
            segment = f"branch{i + 1}"
            branch_scope = inner.child(segment)
            children = self.sequence(branch, f"{path}.concat[{i}]", branch_scope, env, depth)
            seqs.append(SequenceNode(children, name=branch_scope.prefix[:-1], path=f"{path}.concat[{i}]"))
        return MergeNode(tuple(seqs), "concat", scope.prefix + merge_name, path, where)

    def residual(
        self,
        entry: dict[str, Any],
        path: str,
        where: Location,
        scope: NameScope,
        env: dict[str, Any] | None,
        depth: int,
        name: str | None,
    ) -> MergeNode:
        merge_name = scope.unique(name) if name else scope.auto("add")
        # A named residual is a scope of its own, under the (already unique) merge name.
        inner = NameScope(prefix=f"{scope.prefix}{merge_name}.") if name else scope
        body = self.sequence(entry["residual"], f"{path}.residual", inner, env, depth)
        shortcut_entries = entry.get("shortcut", "identity")
        segment = "shortcut"
        if isinstance(shortcut_entries, dict):  # a named group: {name: downsample, layers: [...]}
            _check_keys(shortcut_entries, {"name", "layers"}, "shortcut", where)
            if "layers" not in shortcut_entries:
                raise SpecError("a named shortcut needs 'layers'", location=where)
            segment = str(shortcut_entries.get("name") or segment)
            shortcut_entries = shortcut_entries["layers"]
        if shortcut_entries in ("identity", None, []):
            shortcut: tuple[Any, ...] = ()
            short_name = None
        else:
            short_scope = inner.child(segment)
            shortcut = self.sequence(shortcut_entries, f"{path}.shortcut", short_scope, env, depth)
            short_name = short_scope.prefix[:-1]
        return MergeNode(
            (
                SequenceNode(body, name=None, path=f"{path}.residual"),
                SequenceNode(shortcut, name=short_name, path=f"{path}.shortcut"),
            ),
            "add",
            scope.prefix + merge_name,
            path,
            where,
        )

    def side(
        self,
        entry: dict[str, Any],
        path: str,
        where: Location,
        scope: NameScope,
        env: dict[str, Any] | None,
        depth: int,
        name: str | None,
    ) -> SideNode:
        layers = entry["side"]
        if not isinstance(layers, list) or not layers:
            raise SpecError("'side' needs a list of one or more layers", location=where)
        train_only = _flag(entry, "train_only", where)
        segment = scope.unique(name) if name else scope.auto("aux")
        inner = NameScope(prefix=f"{scope.prefix}{segment}.")
        children = self.sequence(layers, f"{path}.side", inner, env, depth)
        full = scope.prefix + segment
        branch = SequenceNode(children, name=full, path=f"{path}.side")
        return SideNode(branch, full, path, where, train_only=train_only)

    def gate(
        self,
        entry: dict[str, Any],
        path: str,
        where: Location,
        scope: NameScope,
        env: dict[str, Any] | None,
        depth: int,
        name: str | None,
    ) -> MergeNode:
        """``x × gate(x)``: the gate's layers compute a per-channel scale from the input (a named
        gate is a scope of its own, like torchvision's ``SqueezeExcitation`` module)."""
        layers = entry["gate"]
        if not isinstance(layers, list) or not layers:
            raise SpecError(
                "'gate' needs a list of one or more layers",
                location=where,
                hint="e.g. gate: [gap, conv 8 k1, relu, conv 32 k1, sigmoid]",
            )
        merge_name = scope.unique(name) if name else scope.auto("mul")
        inner = NameScope(prefix=f"{scope.prefix}{merge_name}.") if name else scope
        children = self.sequence(layers, f"{path}.gate", inner, env, depth)
        gate_name = scope.prefix + merge_name if name else None
        return MergeNode(
            (
                SequenceNode((), name=None, path=f"{path}.input"),
                SequenceNode(children, name=gate_name, path=f"{path}.gate"),
            ),
            "mul",
            scope.prefix + merge_name,
            path,
            where,
        )

    def elementwise(
        self,
        kind: str,
        entry: dict[str, Any],
        path: str,
        where: Location,
        scope: NameScope,
        env: dict[str, Any] | None,
        depth: int,
        name: str | None,
    ) -> MergeNode:
        """``add:`` / ``mul:``: branches on the same input (``[]`` is the input itself; a branch
        may start with ``from:``), added or multiplied element-wise. Like an inline concat they
        have no scope: their layers are named in the enclosing one."""
        branches = self.branches_of(entry[kind], kind, where)
        if kind == "mul" and len(branches) != 2:
            raise SpecError(
                f"'mul' needs exactly two branches, not {len(branches)}",
                location=where,
                hint="mul: [[...], [...]] multiplies the first branch's output by the second's",
            )
        if len(branches) < 2:
            raise SpecError("'add' needs two or more branches", location=where)
        merge_name = scope.unique(name) if name else scope.auto(kind)
        seqs = []
        for i, branch in enumerate(branches):
            branch_path = f"{path}.{kind}[{i}]"
            children = self.sequence(branch, branch_path, scope, env, depth)
            seqs.append(SequenceNode(children, name=None, path=branch_path))
        return MergeNode(tuple(seqs), kind, scope.prefix + merge_name, path, where)  # type: ignore[arg-type]

    def tap(self, written: Any, path: str, where: Location, scope: NameScope) -> TapNode:
        """``from: NAME``: resolved once the whole network is built (see :mod:`cnncalc.parse.taps`)."""
        if isinstance(written, bool) or not isinstance(written, str | int) or not str(written).strip():
            raise SpecError(
                f"'from' must name an earlier layer, merge or scope, not {_kind_of(written)}",
                location=where,
                hint="e.g. from: layer3 (a name as the report prints it)",
            )
        self.taps += 1
        return TapNode(str(written).strip(), scope.prefix, path, where)

    def call(
        self,
        entry: dict[str, Any],
        path: str,
        loc: Location,
        scope: NameScope,
        depth: int,
        name: str | None,
    ) -> SequenceNode:
        """A block call: the block's layers with its arguments, scoped by ``name`` when given.
        (Deeply nested specs are mostly calls: the location is made only for an error.)"""
        block_name = entry["block"]
        if not isinstance(block_name, str) or block_name not in self.blocks:
            known = sorted(self.blocks)
            raise SpecError(
                f"unknown block '{block_name}'{did_you_mean(str(block_name), known)}",
                location=_with_path(loc, path),
                hint=f"blocks defined: {', '.join(known)}" if known else "define it under 'blocks:'",
            )
        if block_name in self.stack:
            chain = " → ".join([*self.stack[self.stack.index(block_name) :], block_name])
            raise SpecError(f"block '{block_name}' calls itself ({chain})", location=_with_path(loc, path))
        block = self.blocks[block_name]
        args = entry.get("args") or {}
        if not isinstance(args, dict):
            raise SpecError("'args' must be a mapping of argument: value", location=_with_path(loc, path))
        env: dict[str, Any] = {}
        for key, value in args.items():
            if key not in block.args:
                raise SpecError(
                    f"block '{block_name}' has no argument '{key}'"
                    + did_you_mean(str(key), list(block.args)),
                    location=_with_path(loc, path),
                    hint=f"its arguments: {', '.join(block.args) or 'none'}",
                )
            env[key] = value
        for key, default in block.args.items():
            if key not in env:
                if default is None:
                    raise SpecError(
                        f"block '{block_name}' needs argument '{key}'", location=_with_path(loc, path)
                    )
                env[key] = default
        inner = scope.child(name) if name else scope
        # (The network's arguments are the same for every call: the block's own make the key.)
        key = self.expansion_key(block_name, block, env, path, depth, inner)
        if self.arguments:  # the network's arguments, hidden by the block's own
            env = {**self.arguments, **env}
        known = self.expansions.get(key) if key is not None else None
        if known is not None:
            self.count += known.layers
            if self.count > MAX_LAYERS:
                raise SpecError(
                    f"the network has more than {MAX_LAYERS:,} layers", location=_with_path(loc, path)
                )
            inner.counters.update(known.counters)
            inner.used.update(known.used)
            inner.suffixes.update(known.suffixes)
            self.taps += known.taps
            return SequenceNode(
                _renamed(known.nodes, known.prefix, inner.prefix),
                name=name,
                path=path,
                scope=inner.prefix[:-1] if name else None,
            )
        before, taps_before = self.count, self.taps
        self.stack.append(block_name)
        try:
            children = self.sequence(
                block.layers,
                f"{path}→blocks.{block_name}.layers",
                inner,
                env if block.templated else None,
                depth,
            )
        finally:
            self.stack.pop()
        if key is not None:
            self.expansions[key] = _Expansion(
                inner.prefix,
                children,
                dict(inner.counters),
                frozenset(inner.used),
                dict(inner.suffixes),
                self.count - before,
                self.taps - taps_before,
            )
        return SequenceNode(children, name=name, path=path, scope=inner.prefix[:-1] if name else None)

    def expansion_key(
        self, block_name: str, block: _Block, env: dict[str, Any], path: str, depth: int, inner: NameScope
    ) -> tuple[Any, ...] | None:
        """What a call's expansion depends on, when it can be reused: the block, its arguments (if
        it substitutes any), where the call is written, and a scope with no names in it yet."""
        if not self.reuse_expansions or inner.used or inner.counters:
            return None
        try:
            arguments = _freeze(env) if block.templated else ()
        except TypeError:  # an argument that cannot be hashed (a mapping): expand as usual
            return None
        return (block_name, arguments, path, depth)

    # -- layers -----------------------------------------------------------------------------------
    def raw_from_mapping(self, entry: dict[str, Any], where: Location) -> RawLayer:
        type_word = entry["type"]
        if not isinstance(type_word, str):
            raise SpecError(f"'type' must be a layer type name, not {type_word!r}", location=where)
        kind = lookup(type_word)
        if kind is None:
            key_loc = getattr(entry, "key_locs", {}).get("type")
            raise unknown_type_error(type_word, (key_loc or where).merged(where))
        fields = {k: v for k, v in entry.items() if k not in ("type", "name", "shares")}
        key_locs = getattr(entry, "key_locs", {})
        locs = {k: key_locs[k].merged(where) for k in fields if k in key_locs}
        name = entry.get("name")
        shares = entry.get("shares")
        if shares is not None and (not isinstance(shares, str) or not shares.strip()):
            raise SpecError(
                f"'shares' names an earlier layer whose parameters this one uses, not {shares!r}",
                location=where,
                hint="e.g. shares: conv1 (a name as the report prints it)",
            )
        raw = RawLayer(kind, type_word, fields, None if name is None else str(name), where, locs)
        return replace(raw, shares=shares.strip()) if shares else raw

    def layer(self, raw: RawLayer, path: str, scope: NameScope) -> LayerNode:
        self.count += 1
        if self.count > MAX_LAYERS:
            raise SpecError(f"the network has more than {MAX_LAYERS:,} layers", location=raw.location)
        name = scope.prefix + (
            scope.unique(raw.name) if raw.name else scope.auto(canonical_name(raw.kind, raw.requested_type))
        )
        location = raw.location.but(path=raw.location.path or path, layer_name=name)
        layer = validate_layer(raw, location)
        shares = self.shared_layer(raw.shares, layer, scope, location) if raw.shares else None
        self.layer_defs[name] = layer
        return LayerNode(layer, name, path, location, shares=shares)

    def shared_layer(self, written: str, layer: LayerDef, scope: NameScope, location: Location) -> str:
        """The qualified name ``shares: written`` means (looked up as ``from:`` is: in the scope
        first, then outward): an earlier layer with the same definition."""
        from cnncalc.parse.taps import candidates

        for name in candidates(written, scope.prefix):
            if name in self.layer_defs:
                if self.layer_defs[name] != layer:
                    raise SpecError(
                        f"'shares: {written}': '{name}' is a different layer, so its parameters "
                        "cannot be this one's",
                        location=location,
                        hint="a layer that shares parameters has the same type and fields",
                    )
                return name
        raise SpecError(
            f"'shares: {written}': no earlier layer of that name"
            + did_you_mean(written, sorted(self.layer_defs)),
            location=location,
            hint="name a layer written before this one, as the report prints it",
        )


def _flag(entry: dict[str, Any], key: str, where: Location) -> bool:
    """A structure's true/false option (default false)."""
    value = entry.get(key, False)
    if not isinstance(value, bool):
        raise SpecError(f"'{key}' must be true or false, not {value!r}", location=where)
    return value


def _substitute_entry(entry: Any, env: dict[str, Any]) -> Any:
    """``entry`` with the arguments substituted, but for what is substituted later: the layers of a
    repeat with an ``index`` (each copy substitutes them with its index) and the branches of an
    ``if`` (only the chosen one is, so the other may hold what only makes sense when not chosen)."""
    if not isinstance(entry, dict):
        return substitute(entry, env)
    if "repeat" in entry and "index" in entry and "layers" in entry:
        later = ("layers",)
    elif "if" in entry:
        later = ("then", "else")
    else:
        return substitute(entry, env)
    done = substitute({k: v for k, v in entry.items() if k not in later}, env)
    out = type(entry)(done, **{k: entry[k] for k in later if k in entry})
    for attr in ("loc", "key_locs"):
        if hasattr(entry, attr):
            setattr(out, attr, getattr(entry, attr))
    return out


def _chosen_branch(entry: dict[str, Any], where: Location) -> tuple[str, Any] | None:
    """``('then', entries)`` or ``('else', entries)`` by the (substituted) condition; None when the
    condition is false and there is no ``else``."""
    condition = entry["if"]
    if not isinstance(condition, bool):
        raise SpecError(
            f"'if' needs true or false, not {condition!r}",
            location=where,
            hint="compare arguments inside a block: if: ${stride == 1 and inp == out}",
        )
    if "then" not in entry:
        raise SpecError("'if' needs 'then': the layers used when the condition is true", location=where)
    key = "then" if condition else "else"
    return (key, entry[key]) if key in entry else None


def _renamed(nodes: tuple[Any, ...], old: str, new: str) -> tuple[Any, ...]:
    """``nodes`` with every qualified name moved from prefix ``old`` to ``new``. Qualified names are
    those of layers (and their locations), merges, side outputs and the branches of both; other
    sequences are named by a segment of their own (a scope), which stays."""
    if old == new:
        return nodes
    cut = len(old)

    def full(name: str) -> str:
        return new + name[cut:]

    def scoped(name: str | None) -> str | None:
        return full(name) if name is not None and name.startswith(old) else name

    def branch(seq: SequenceNode) -> SequenceNode:
        return SequenceNode(
            tuple(move(c) for c in seq.children),
            name=None if seq.name is None else full(seq.name),
            path=seq.path,
            scope=scoped(seq.scope),
        )

    def move(node: Any) -> Any:
        if isinstance(node, LayerNode):
            name = full(node.name)
            location = node.location.but(layer_name=name) if node.location is not None else None
            shares = node.shares and (full(node.shares) if node.shares.startswith(old) else node.shares)
            return LayerNode(node.layer, name, node.path, location, shares=shares)
        if isinstance(node, SequenceNode):
            children = tuple(move(c) for c in node.children)
            return SequenceNode(children, name=node.name, path=node.path, scope=scoped(node.scope))
        if isinstance(node, TapNode):  # written inside the moved scope: it moves with it
            return TapNode(node.written, full(node.scope), node.path, node.location)
        if isinstance(node, MergeNode):
            branches = tuple(branch(b) for b in node.branches)
            return MergeNode(branches, node.merge, full(node.name), node.path, node.location)
        return SideNode(branch(node.branch), full(node.name), node.path, node.location, node.train_only)

    return tuple(move(n) for n in nodes)


def validate_layer(raw: RawLayer, location: Location) -> LayerDef:
    """Validate a raw layer with its kind's fields; errors point at the offending field."""
    type_value = _canonical_name(raw.kind, raw.requested_type)
    try:
        try:
            layer = _validate_cached(raw.kind, type_value, _freeze(raw.fields))
        except TypeError:  # unhashable values: validate without the cache
            layer = raw.kind(type_value, **raw.fields)
    except InvalidField as exc:
        raise _field_error(raw, exc, location) from None
    return layer


_canonical_name = lru_cache(maxsize=1024)(canonical_name)


@lru_cache(maxsize=4096)
def _validate_cached(kind: type[LayerDef], type_value: str, frozen: tuple[Any, ...]) -> LayerDef:
    return kind(type_value, **{k: _thaw(typed) for k, typed in frozen})


def _freeze(fields: dict[str, Any]) -> tuple[Any, ...]:
    """The fields as a cache key. Each value keeps its type: ``True == 1 == 1.0`` in Python, but a
    rule may accept one and refuse another. TypeError for values that cannot be hashed."""
    items = tuple(sorted((k, _typed(v)) for k, v in fields.items()))
    hash(items)
    return items


def _typed(value: Any) -> tuple[type, Any]:
    if isinstance(value, list | tuple):
        return (list, tuple(_typed(v) for v in value))
    return (type(value), value)


def _thaw(typed: tuple[type, Any]) -> Any:
    kind, value = typed
    return [_thaw(v) for v in value] if kind is list else value


def _field_error(raw: RawLayer, exc: InvalidField, location: Location) -> SpecError:
    """The kind's refusal as a message at the field's place in the spec, with the usage."""
    usage = _usage(raw.kind)
    if exc.reason == "missing":
        return SpecError(exc.message, location=location, hint=usage)
    loc = raw.field_locations.get(exc.field_name, location).merged(location)
    if exc.hint is not None:  # the kind's own advice (the size limit, a combination)
        return SpecError(exc.message, location=loc, hint=exc.hint)
    if exc.reason == "unknown":
        allowed = list(raw.kind.fields)
        return SpecError(exc.message + did_you_mean(exc.field_name, allowed), location=loc, hint=usage)
    return SpecError(exc.message, location=loc, hint=usage)


def _check_keys(
    entry: dict[str, Any], allowed: set[str], kind: str, loc: Location | None, path: str | None = None
) -> None:
    """Refuse keys outside ``allowed`` (the location is made only for the error)."""
    if allowed.issuperset(entry):
        return
    where = loc if path is None else _with_path(loc, path)
    for key in entry:
        if key not in allowed:
            raise SpecError(
                f"'{kind}' entry has no field '{key}'{did_you_mean(str(key), sorted(allowed))}",
                location=getattr(entry, "key_locs", {}).get(key, where).merged(where),
                hint=f"allowed: {', '.join(sorted(allowed))}",
            )


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def _with_path(loc: Location | None, path: str) -> Location:
    if loc is None:
        return Location(path=path)
    return Location(loc.source, loc.line, loc.column, path, loc.layer_name, loc.text)


# ---------------------------------------------------------------------------------------------
# Size before building
# ---------------------------------------------------------------------------------------------


class _Sizer:
    """Counts the layers a spec expands to without building any, memoising block calls, so that
    blocks calling blocks many times (the "billion laughs" of block calls) are refused at once
    instead of after building the first half-million layers. Anything malformed counts 0 here:
    the builder reports it with its proper message."""

    def __init__(self, blocks: dict[str, _Block], arguments: dict[str, Any] | None = None):
        self.blocks = blocks
        self.arguments = arguments or {}
        self.memo: dict[tuple[str, str], int] = {}
        self.stack: list[str] = []

    def sequence(self, entries: Any, env: dict[str, Any] | None, depth: int) -> int:
        if not isinstance(entries, list) or depth > MAX_DEPTH:
            return 0
        return sum(self.entry(entry, env, depth) for entry in entries)

    def entry(self, entry: Any, env: dict[str, Any] | None, depth: int) -> int:
        if env is not None:
            try:
                entry = substitute(entry, env)
            except CnncalcError:
                return 0
        if isinstance(entry, str) or (isinstance(entry, dict) and "type" in entry):
            return 1
        if not isinstance(entry, dict):
            return 0
        depth += 1
        if "repeat" in entry:
            count = entry["repeat"]
            if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_REPEAT:
                return 0
            return count * self.sequence(entry.get("layers"), env, depth)
        if "concat" in entry:
            branches = entry["concat"]
            return sum(self.sequence(b, env, depth) for b in branches) if isinstance(branches, list) else 0
        if "residual" in entry:
            return self.sequence(entry["residual"], env, depth) + self.sequence(
                entry.get("shortcut"), env, depth
            )
        if "block" in entry:
            return self.call(entry, depth)
        if "gate" in entry:
            return self.sequence(entry["gate"], env, depth)
        for kind in ("add", "mul"):
            if kind in entry and isinstance(entry[kind], list):
                return sum(self.sequence(b, env, depth) for b in entry[kind])
        if "side" in entry:
            return self.sequence(entry["side"], env, depth)
        if "if" in entry:  # the larger branch: a bound, whichever is chosen
            return max(self.sequence(entry.get(k), env, depth) for k in ("then", "else"))
        return self.sequence(entry.get("layers"), env, depth)

    def call(self, entry: dict[str, Any], depth: int) -> int:
        name = entry["block"]
        block = self.blocks.get(name) if isinstance(name, str) else None
        args = entry.get("args") or {}
        if block is None or name in self.stack or not isinstance(args, dict):
            return 0
        env = {k: v for k, v in block.args.items() if v is not None}
        env.update(args)
        key = (name, repr(sorted(env.items(), key=lambda kv: str(kv[0]))))  # the network's args are fixed
        if self.arguments:
            env = {**self.arguments, **env}
        if key not in self.memo:
            self.stack.append(name)
            try:
                self.memo[key] = self.sequence(block.layers, env if block.templated else None, depth)
            finally:
                self.stack.pop()
        return self.memo[key]


def _check_expanded_size(
    entries: Any, blocks: dict[str, _Block], source: str, arguments: dict[str, Any] | None = None
) -> None:
    """Refuse a spec that expands to more than :data:`MAX_LAYERS` layers, pointing at its largest
    top-level entry."""
    if not isinstance(entries, list):
        return
    sizer = _Sizer(blocks, arguments)
    sizes = [sizer.entry(entry, arguments or None, 0) for entry in entries]
    total = sum(sizes)
    if total <= MAX_LAYERS:
        return
    biggest = max(range(len(sizes)), key=sizes.__getitem__)
    item_locs = getattr(entries, "item_locs", [])
    entry = entries[biggest]
    loc = getattr(entry, "loc", None) or (item_locs[biggest] if biggest < len(item_locs) else None)
    raise SpecError(
        f"the spec expands to {total:,} layers, over the limit of {MAX_LAYERS:,} layers",
        location=_with_path(loc or location_of(entries) or Location(source), f"layers[{biggest}]"),
        hint=f"layers[{biggest}] alone expands to {sizes[biggest]:,}: check repeat counts and blocks "
        "that call blocks several times",
    )


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------


def parse_input(value: Any, where: Location) -> Shape:
    """The ``input`` of a spec file: ``'224x224x3'`` or {height, width, channels}."""
    if isinstance(value, str):
        shape = parse_shape_text(value)
        if shape is None:
            raise SpecError(f"input '{value}' is not a size like 224x224x3 (H×W×C)", location=where)
    elif isinstance(value, dict):
        _check_keys(value, {"height", "width", "channels"}, "input", where)
        missing = [k for k in ("height", "width", "channels") if k not in value]
        if missing:
            raise SpecError(f"input needs {', '.join(missing)}", location=where)
        if not all(isinstance(value[k], int) and not isinstance(value[k], bool) for k in value):
            raise SpecError("input height, width and channels must be whole numbers", location=where)
        shape = Shape(value["channels"], value["height"], value["width"])
    else:
        raise SpecError("input must be a size like 224x224x3 or {height, width, channels}", location=where)
    check_input_shape(shape, where)
    return shape


def check_input_shape(shape: Shape, where: Location | None = None) -> None:
    for value, what in ((shape.height, "height"), (shape.width, "width"), (shape.channels, "channels")):
        if value is not None and value <= 0:
            raise SpecError(f"input {what} must be positive, got {value}", location=where)
        if value is not None and value > MAX_DIMENSION:
            raise SpecError(
                f"input {what} {value:,} is over the limit of {MAX_DIMENSION:,}",
                location=where,
                hint=LIMIT_HINT,
            )


def build_network(
    entries: Any,
    input_shape: Shape,
    *,
    source: str,
    name: str,
    blocks: dict[str, _Block] | None = None,
    description: str | None = None,
    reference: str | None = None,
    arguments: dict[str, Any] | None = None,
) -> Network:
    """The network of ``entries``; ``arguments`` (a spec's top-level ``args:``) are substituted in
    them and in every block."""
    _check_expanded_size(entries, blocks or {}, source, arguments)
    builder = _Builder(source, blocks or {}, arguments)
    with paused_gc():
        children = builder.sequence(entries, "layers", NameScope(), arguments or None, 0)
    if builder.count == 0:
        raise SpecError("the spec has no layers", location=location_of(entries) or Location(source))
    body = SequenceNode(children, name=None, path="layers")
    tapped: frozenset[str] = frozenset()
    if builder.taps:
        body, tapped = resolve_taps(body)
    return Network(
        name=name,
        input=input_shape,
        body=body,
        tapped=tapped,
        description=description,
        source=source,
        reference=reference,
        layer_count=builder.count,
    )


def network_arguments(data: dict[str, Any], given: dict[str, Any] | None, top: Location) -> dict[str, Any]:
    """A spec's top-level ``args:`` (defaults; null = required) with the ``given`` values (a bundled
    family member's) in their place."""
    where = getattr(data, "key_locs", {}).get("args", top)
    declared = data.get("args") or {}
    if not isinstance(declared, dict):
        raise SpecError("'args' must be a mapping of argument: default", location=where)
    for key, value in declared.items():
        if not isinstance(value, int | float | str | bool | type(None)):
            raise SpecError(
                f"argument '{key}' must default to a number, a word or null (required), "
                f"not {_kind_of(value)}",
                location=getattr(declared, "key_locs", {}).get(key, where),
            )
    env = dict(declared)
    for key, value in (given or {}).items():
        if key not in declared:
            raise SpecError(
                f"the spec has no argument '{key}'" + did_you_mean(str(key), [str(k) for k in declared]),
                location=where,
                hint=f"its arguments: {', '.join(map(str, declared)) or 'none'}",
            )
        env[key] = value
    missing = [str(key) for key, value in env.items() if value is None]
    if missing:
        raise SpecError(
            f"the spec needs argument '{missing[0]}': it has no default",
            location=getattr(declared, "key_locs", {}).get(missing[0], where),
            hint="give it a default under 'args:' (a bundled family member sets its own)",
        )
    return env


def network_from_data(
    data: Any, source: str, default_name: str, arguments: dict[str, Any] | None = None
) -> Network:
    """A resolved network from the data of a spec file; ``arguments`` replace the defaults of the
    spec's top-level ``args:``."""
    top = location_of(data) or Location(source)
    if not isinstance(data, dict):
        raise SpecError(
            f"a spec file holds a mapping with 'input' and 'layers', not {_kind_of(data)}",
            location=top,
        )
    allowed = {"name", "description", "source", "args", "input", "blocks", "layers"}
    _check_keys(data, allowed, "spec", top)
    for key in ("input", "layers"):
        if key not in data:
            raise SpecError(f"the spec needs '{key}'", location=top)
    key_locs = getattr(data, "key_locs", {})
    env = network_arguments(data, arguments, top) if "args" in data or arguments else {}
    input_value = data["input"]
    if env:
        try:
            input_value = substitute(input_value, env)
        except CnncalcError as exc:
            raise exc.with_location(key_locs.get("input", top)) from None
    input_shape = parse_input(input_value, key_locs.get("input", top))
    blocks: dict[str, _Block] = {}
    raw_blocks = data.get("blocks") or {}
    if not isinstance(raw_blocks, dict):
        raise SpecError("'blocks' must be a mapping of name: block", location=key_locs.get("blocks", top))
    for block_name, block in raw_blocks.items():
        where = getattr(raw_blocks, "key_locs", {}).get(block_name, top)
        if not isinstance(block, dict) or "layers" not in block:
            raise SpecError(f"block '{block_name}' needs 'layers'", location=where)
        _check_keys(block, {"args", "layers", "description"}, "block", where)
        args = block.get("args") or {}
        if not isinstance(args, dict):
            raise SpecError(f"block '{block_name}': 'args' must be a mapping", location=where)
        layers = block["layers"]
        blocks[str(block_name)] = _Block(dict(args), layers, where, templated=_has_placeholder(layers))
    for key in ("name", "description", "source"):
        if key in data and data[key] is not None and not isinstance(data[key], str):
            raise SpecError(f"'{key}' must be a string", location=key_locs.get(key, top))
    return build_network(
        data["layers"],
        input_shape,
        source=source,
        name=data.get("name") or default_name,
        blocks=blocks,
        description=data.get("description"),
        reference=data.get("source"),
        arguments=env,
    )
