"""Loading rubrics: bundled names or YAML files, ``extends`` chains, merging, a safe cache.

A rubric may ``extends:`` another (bundled name or path relative to itself). The child's
mappings merge into the parent's key by key; lists of rules or cues merge by ``id`` (a child's
entry is merged into the parent's entry of the same id, key by key, so a child can change one
field of a rule without copying it; new ids are added); a key written ``name+`` appends to the
parent's list instead of replacing it (``phrases+: [...]``); a key written ``name!`` replaces
the parent's value without merging (``items!: [...]``); other values replace the parent's.

The bundled rubrics' parsed mappings also ship as JSON (``data/rubrics.json``, written by
``tools/build_rubric_cache.py``), each beside the SHA-256 of its YAML text: a bundled rubric
whose text still has that digest is read from the JSON (1 ms instead of 35 ms of YAML parsing,
and PyYAML is not imported at all); an edited one is parsed from its YAML as before.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import RubricError
from .schema import Rubric


@lru_cache(maxsize=1)
def _strict_loader() -> Any:
    """A safe YAML loader (libyaml's when built, ~10x faster) refusing duplicate mapping keys.

    PyYAML is imported here, at the first YAML file actually parsed (see the module docstring).
    """
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class StrictLoader(base):  # type: ignore[misc,valid-type]
        """A safe YAML loader that refuses duplicate keys in a mapping."""

    def construct_mapping(loader: Any, node: Any) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                continue  # unhashable or odd keys: pydantic rejects them later
            if key in seen:
                mark = key_node.start_mark
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (line {mark.line + 1})", mark
                )
            seen.add(key)
        return loader.construct_mapping(node, deep=True)  # type: ignore[no-any-return]

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return StrictLoader


def text_digest(text: str) -> str:
    """The SHA-256 of a rubric file's text (UTF-8), as ``data/rubrics.json`` records it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def _precompiled_bytes() -> bytes:
    try:
        return (importlib.resources.files("staranalyzer") / "data" / "rubrics.json").read_bytes()
    except OSError:
        return b"{}"


def precompiled(name: str, text: str) -> dict[str, Any] | None:
    """A bundled rubric's parsed mapping from ``data/rubrics.json``, if it is of this text.

    A fresh copy every call (callers merge into it). None when the file has no entry for the
    name or the YAML has been edited since the file was written.
    """
    entry = json.loads(_precompiled_bytes()).get("rubrics", {}).get(name)
    if not isinstance(entry, dict) or entry.get("sha256") != text_digest(text):
        return None
    raw = entry.get("raw")
    return raw if isinstance(raw, dict) else None


def available_rubrics() -> list[str]:
    """Return the names of the rubrics bundled with staranalyzer, sorted."""
    root = importlib.resources.files("staranalyzer.rubrics")
    return sorted(p.name[: -len(".yaml")] for p in root.iterdir() if p.name.endswith(".yaml"))


def read_yaml(text: str, source: str) -> dict[str, Any]:
    """Parse a rubric file's text; raise :class:`RubricError` naming the line on a YAML error."""
    import yaml

    try:
        data = yaml.load(text, Loader=_strict_loader())  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise RubricError(
            source, [f"{where}not valid YAML ({getattr(exc, 'problem', exc)})"]
        ) from None
    except RecursionError:
        raise RubricError(source, ["the file nests too deeply"]) from None
    if not isinstance(data, dict):
        raise RubricError(source, ["the file must hold a mapping at the top level"])
    return data


def merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Merge a child rubric's raw mapping into its parent's (see the module docstring)."""
    merged = dict(parent)
    for key, value in child.items():
        if isinstance(key, str) and key.endswith("!"):
            merged[key[:-1]] = value
            continue
        if isinstance(key, str) and key.endswith("+"):
            base = key[:-1]
            old = merged.get(base, [])
            if not isinstance(value, list) or not isinstance(old, list):
                raise ValueError(f"'{key}' appends a list to a list")
            merged[base] = [*old, *(v for v in value if v not in old)]
            continue
        old = merged.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            merged[key] = merge(old, value)
        elif _by_id(value) and _by_id(old):
            by_id = {item["id"]: item for item in old}
            out = []
            for item in old:
                update = next((v for v in value if v["id"] == item["id"]), None)
                out.append(item if update is None else merge(item, update))
            out.extend(v for v in value if v["id"] not in by_id)
            merged[key] = out
        else:
            merged[key] = value
    return merged


def _by_id(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) and "id" in v for v in value)


def _is_path(ref: str | Path) -> bool:
    return isinstance(ref, Path) or str(ref).endswith((".yaml", ".yml")) or "/" in str(ref)


def _read_source(ref: str | Path, asked_by: str | None) -> tuple[str, str, Path | None]:
    """Return (text, source name, file path or None) of a rubric reference."""
    who = f" (asked for by {asked_by})" if asked_by else ""
    if _is_path(ref):
        path = Path(ref)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise RubricError(str(ref), [f"no such rubric file{who}"]) from None
        except OSError as exc:
            raise RubricError(str(ref), [f"cannot read ({exc.strerror or exc}){who}"]) from None
        try:
            return data.decode("utf-8-sig"), str(path), path
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise RubricError(
                str(path), [f"line {line}: not UTF-8 text (byte {exc.start}){who}"]
            ) from None
    names = available_rubrics()
    if ref not in names:
        raise RubricError(str(ref), [f"unknown rubric{who}; available: {', '.join(names)}"])
    return bundled_text(str(ref)), str(ref), None


def bundled_text(name: str) -> str:
    """The YAML text of a bundled rubric (a name from :func:`available_rubrics`)."""
    return (importlib.resources.files("staranalyzer.rubrics") / f"{name}.yaml").read_text(
        encoding="utf-8"
    )


def raw_rubric(
    ref: str | Path, seen: tuple[str, ...] = (), asked_by: str | None = None
) -> tuple[dict[str, Any], str, list[Path]]:
    """Return the merged raw mapping of a rubric, a name for its source, and its files."""
    text, source, path = _read_source(ref, asked_by)
    if source in seen:
        raise RubricError(source, ["'extends' makes a cycle: " + " -> ".join((*seen, source))])
    data = precompiled(source, text) if path is None else None
    if data is None:
        data = read_yaml(text, source)
    files = [path] if path is not None else []
    own_rules = _rule_ids(data) if path is not None else []
    parent_ref = data.pop("extends", None)
    if parent_ref is not None:
        if not isinstance(parent_ref, str):
            raise RubricError(source, ["field 'extends': must be a rubric name or path"])
        if path is not None and _is_path(parent_ref):
            parent_ref = str((path.parent / parent_ref).resolve())
        parent, _, parent_files = raw_rubric(parent_ref, (*seen, source), asked_by=source)
        try:
            data = merge(parent, data)
        except ValueError as exc:
            raise RubricError(source, [str(exc)]) from None
        files = files + parent_files
    if path is not None:
        data.setdefault("base_dir", str(path.resolve().parent))
        data["user_rules"] = sorted({*data.get("user_rules", ()), *own_rules})
    return data, source, files


def _rule_ids(data: dict[str, Any]) -> list[str]:
    """Ids of the rules a rubric file itself defines or changes (``rules``, ``rules+``...)."""
    out = []
    for key in ("rules", "rules+", "rules!"):
        rules = data.get(key)
        if isinstance(rules, list):
            out += [r["id"] for r in rules if isinstance(r, dict) and isinstance(r.get("id"), str)]
    return out


def _describe_error(data: dict[str, Any], err: dict[str, Any]) -> str:
    """Name the rule (cue/rule id) and the field a pydantic error is about."""
    rule_id = None
    node: Any = data
    for part in err["loc"]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            rule_id = node["id"]
    kinds = {
        "phrase",
        "ratio",
        "missing_section",
        "balance",
        "no_metrics",
        "scope_level",
        "order",
        "construction",
        "classifier",
        "question_fit",
        "leadership",
    }
    field = ".".join(str(p) for p in err["loc"] if p not in kinds)
    rule = f"rule {rule_id!r}, " if rule_id else ""
    return f"{rule}field '{field}': {err['msg']}"


def parse_rubric(data: dict[str, Any], source: str) -> Rubric:
    """Validate a raw rubric mapping; raise :class:`RubricError` naming the rule and field."""
    try:
        return Rubric.model_validate({**data, "source": source})
    except ValidationError as exc:
        raise RubricError(source, [_describe_error(data, e) for e in exc.errors()]) from None


def _stamp(files: list[Path]) -> tuple[tuple[str, int], ...]:
    out = []
    for f in files:
        try:
            out.append((str(f), f.stat().st_mtime_ns))
        except OSError:
            out.append((str(f), -1))
    return tuple(out)


_CACHE: dict[str, tuple[Rubric, list[Path], tuple[tuple[str, int], ...]]] = {}
_CACHE_LOCK = threading.Lock()


def load_rubric(rubric: str | Path | Rubric = "default") -> Rubric:
    """Load a rubric by bundled name (``"default"``, ``"amazon-l6"``) or by path to a YAML file.

    Loaded rubrics are cached; a cached rubric is reloaded when any file of its ``extends``
    chain has changed since.

    Args:
        rubric: a bundled name, a path, or an already loaded :class:`Rubric` (returned as is).

    Returns:
        The validated rubric.

    Raises:
        RubricError: the rubric is unknown, unreadable or invalid; the message names the file,
            the rule id and the field.

    """
    if isinstance(rubric, Rubric):
        return rubric
    ref = str(rubric)
    with _CACHE_LOCK:
        hit = _CACHE.get(ref)
        if hit is not None and _stamp(hit[1]) == hit[2]:
            return hit[0]
    data, source, files = raw_rubric(ref)
    stamp = _stamp(files)
    loaded = parse_rubric(data, source)
    with _CACHE_LOCK:
        if len(_CACHE) > 64:
            _CACHE.clear()
        _CACHE[ref] = (loaded, files, stamp)
    return loaded
