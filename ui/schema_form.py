"""Read the intake's Pydantic schema into form fields: titles, help texts, bounds and choices.

The form is built from this, never from a hand-kept list, so a field added to the intake schema
appears in the app without UI code. Nested models become dotted paths (`current.active_users`,
`capacity.max_connections`); lists of models (components, endpoints) become tables whose
columns are the same specs. Nothing here imports Streamlit, so it is tested on its own.
"""

from __future__ import annotations

import math
import types
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

Kind = Literal["int", "float", "bool", "optional_bool", "choice", "text", "long_text", "list",
               "money"]
#: Text fields longer than this get a text area.
LONG_TEXT = 1_000


@dataclass(frozen=True)
class FieldSpec:
    """One form field, as the schema describes it."""

    path: tuple[str, ...]
    title: str
    help: str | None
    kind: Kind
    required: bool
    default: Any
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    @property
    def key(self) -> str:
        """The dotted path, as the CLI's problems name the field."""
        return ".".join(self.path)


@dataclass(frozen=True)
class Section:
    """One step of the form: a group of fields, or a table (a list of models)."""

    path: tuple[str, ...]
    title: str
    help: str | None
    fields: tuple[FieldSpec, ...]
    table: bool = False
    optional: bool = False

    @property
    def name(self) -> str:
        """The dotted path of the section (`constraints`, `business.scenarios`)."""
        return ".".join(self.path)


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    """Return the annotation without `None` and whether None was allowed."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], len(args) < len(get_args(annotation))
    return annotation, False


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _list_item(annotation: Any) -> Any | None:
    return get_args(annotation)[0] if get_origin(annotation) is list else None


def title_of(name: str, info: FieldInfo) -> str:
    """The field's title: the schema's own, else its name in words."""
    return info.title or name.replace("_", " ").capitalize()


def _bounds(info: FieldInfo) -> tuple[float | None, float | None]:
    low = high = None
    for item in info.metadata:
        if isinstance(item, annotated_types.Ge | annotated_types.Gt):
            low = float(getattr(item, "ge", getattr(item, "gt", 0)))
        if isinstance(item, annotated_types.Le | annotated_types.Lt):
            high = float(getattr(item, "le", getattr(item, "lt", 0)))
    return low, high


def _default(info: FieldInfo) -> Any:
    if info.default is not PydanticUndefined:
        return info.default
    if info.default_factory is not None:
        return info.default_factory()  # type: ignore[call-arg]
    return None


def _max_length(info: FieldInfo) -> int | None:
    return next((int(m.max_length) for m in info.metadata
                 if isinstance(m, annotated_types.MaxLen)), None)


def _kind(annotation: Any, nullable: bool, info: FieldInfo) -> tuple[Kind, tuple[str, ...]]:
    if get_origin(annotation) is Literal:
        return "choice", tuple(str(a) for a in get_args(annotation))
    if annotation is bool:
        return ("optional_bool" if nullable else "bool"), ()
    if annotation is int:
        return "int", ()
    if annotation is float:
        return "float", ()
    if _list_item(annotation) is str:
        return "list", ()
    if _is_model(annotation) and annotation.__name__ == "Money":
        return "money", ()
    length = _max_length(info)
    return ("long_text" if length is not None and length > LONG_TEXT else "text"), ()


def field_specs(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[FieldSpec]:
    """Every scalar field of `model`, nested models flattened into dotted paths."""
    specs: list[FieldSpec] = []
    for name, info in model.model_fields.items():
        annotation, nullable = _unwrap_optional(info.annotation)
        path = (*prefix, name)
        if _is_model(annotation) and annotation.__name__ != "Money":
            specs += field_specs(annotation, path)
            continue
        if _list_item(annotation) is not None and _is_model(_list_item(annotation)):
            continue  # lists of models are sections of their own (tables)
        kind, choices = _kind(annotation, nullable, info)
        low, high = _bounds(info)
        specs.append(FieldSpec(path=path, title=title_of(name, info), help=info.description,
                               kind=kind, required=info.is_required(), default=_default(info),
                               choices=choices, minimum=low, maximum=high))
    return specs


def _first_line(doc: str | None) -> str | None:
    return (doc or "").strip().splitlines()[0] if (doc or "").strip() else None


def sections(model: type[BaseModel]) -> list[Section]:
    """The form's steps, in schema order: the top-level scalars first, then one per sub-model.

    A nested model is a step of fields; a list of models, at the top or inside a nested
    model (`business.scenarios`), is a table step of its own.
    """
    top: list[FieldSpec] = []
    steps: list[Section] = []
    for name, info in model.model_fields.items():
        annotation, nullable = _unwrap_optional(info.annotation)
        item = _list_item(annotation)
        optional = nullable or not info.is_required()
        if _is_model(annotation) and annotation.__name__ != "Money":
            steps.append(Section((name,), title_of(name, info),
                                 info.description or _first_line(annotation.__doc__),
                                 tuple(field_specs(annotation, (name,))), optional=optional))
            steps += _nested_tables(annotation, (name,))
        elif item is not None and _is_model(item):
            steps.append(Section((name,), title_of(name, info),
                                 info.description or _first_line(item.__doc__),
                                 tuple(field_specs(item)), table=True, optional=optional))
        else:
            top.extend(field_specs_of_one(model, name))
    return [Section(("system",), "System", _first_line(model.__doc__), tuple(top)), *steps]


def _nested_tables(model: type[BaseModel], prefix: tuple[str, ...]) -> list[Section]:
    """Tables for the lists of models inside a nested model (the business scenarios)."""
    found: list[Section] = []
    for name, info in model.model_fields.items():
        annotation, _ = _unwrap_optional(info.annotation)
        item = _list_item(annotation)
        if item is not None and _is_model(item):
            found.append(Section((*prefix, name), title_of(name, info),
                                 info.description or _first_line(item.__doc__),
                                 tuple(field_specs(item)), table=True,
                                 optional=not info.is_required()))
    return found


def field_specs_of_one(model: type[BaseModel], name: str) -> list[FieldSpec]:
    """The spec of one top-level scalar field of `model`."""
    return [s for s in field_specs(model) if s.path == (name,)]


# --- values: between the plain intake data (as YAML holds it) and the widgets -------------------

def get_path(data: Any, path: Iterable[str]) -> Any:
    """The value at a dotted path in plain data, or None."""
    node = data
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def set_path(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Set a value at a dotted path, creating the dicts on the way."""
    node = data
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[path[-1]] = value


def is_blank(value: Any) -> bool:
    """Whether a cell or widget holds nothing (None, NaN, empty text or list)."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str | list | tuple) and len(value) == 0


def shown(spec: FieldSpec, value: Any, separator: str = "\n") -> Any:
    """The value as a widget or table cell shows it (lists joined, money as text).

    Widgets put list items on lines of their own (an item may hold a comma: "100,000
    users"); table cells join them with commas (ids there never hold one).
    """
    if value is None:
        value = spec.default
    if spec.kind == "list":
        return separator.join(str(v) for v in value or [])
    if spec.kind == "money" and isinstance(value, dict):
        return money_text(value)
    if spec.kind == "optional_bool":
        return {True: "yes", False: "no"}.get(value, "")
    return value


def money_text(value: dict[str, Any]) -> str:
    """Money as the intake writes it: `3000 USD` (amount without a needless `.0`)."""
    amount = value.get("amount")
    if isinstance(amount, float) and amount.is_integer():
        amount = int(amount)
    # never an exponent: the intake's money parser reads '2000000 USD', not '2e+06 USD'
    text = f"{amount}" if isinstance(amount, int) else (
        f"{amount:f}".rstrip("0").rstrip(".") if isinstance(amount, float) else str(amount))
    return f"{text} {value.get('currency', '')}".strip()


def parsed(spec: FieldSpec, value: Any, separator: str = "\n", stated: bool = False) -> Any:
    """The plain intake value for what a widget or cell holds; None means "leave it out".

    A value equal to the schema's default is left out too, so the intake downloaded stays as
    short as a hand-written one, unless the intake loaded into the form `stated` it: a value
    the team wrote is the team's figure, not an assumption (the assumptions ledger tells the
    two apart). Numbers keep the type the schema asks for (the intake is
    strict: 500.0 is not a count of users).
    """
    if is_blank(value):
        return None
    if spec.kind == "list":
        text = value if isinstance(value, str) else separator.join(map(str, value))
        items = [part.strip() for part in text.split(separator) if part.strip()]
        return items or None
    if spec.kind == "optional_bool":
        return {"yes": True, "no": False}.get(str(value))
    if spec.kind == "int" and isinstance(value, float) and value.is_integer():
        value = int(value)
    elif spec.kind in ("int", "float") and hasattr(value, "item"):  # numpy scalars from tables
        value = value.item()
        if spec.kind == "int" and isinstance(value, float) and value.is_integer():
            value = int(value)
    if spec.kind == "bool":
        value = bool(value)
    if spec.kind in ("text", "long_text", "choice", "money"):
        value = str(value)
    if value == spec.default and not spec.required and not stated:
        return None
    return value


def row_to_item(specs: Iterable[FieldSpec], row: dict[str, Any],
                original: dict[str, Any] | None = None) -> dict[str, Any]:
    """One table row back into the plain dict of one list item (nested paths rebuilt).

    `original` is the item the row was loaded from: a default value it stated is kept.
    """
    item: dict[str, Any] = {}
    for spec in specs:
        stated = original is not None and get_path(original, spec.path) is not None
        value = parsed(spec, row.get(spec.key), ",", stated)
        if value is not None:
            set_path(item, spec.path, value)
    return item


def item_to_row(specs: Iterable[FieldSpec], item: dict[str, Any]) -> dict[str, Any]:
    """One list item as a table row: every spec's column, nested values flattened."""
    return {spec.key: shown(spec, get_path(item, spec.path), ", ") for spec in specs}
