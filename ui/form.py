"""The guided intake form: one tab per schema section, widgets built from the field specs.

Every widget reads its start value from the intake data and writes what it holds back into it;
a path the form has no widget for (nothing today) is left as loaded, never dropped. Tables
(components, endpoints, ...) are `st.data_editor`s whose columns are the same specs. After the
widgets are drawn, the data is validated with the CLI's validator and each message lands in an
`st.empty` slot under its field or table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from assistant import Intake, catalogue_sizes
from ui import intake_state
from ui.schema_form import (
    FieldSpec,
    Section,
    get_path,
    item_to_row,
    parsed,
    row_to_item,
    sections,
    set_path,
    shown,
)
from ui.text import t

Slots = dict[str, Any]


def _within(spec: FieldSpec, value: Any) -> bool:
    """Whether a value lies inside the widget bounds.

    If not, the bounds are left off the widget, so the CLI's message, not a Streamlit
    exception, says what is wrong.
    """
    if not isinstance(value, int | float) or isinstance(value, bool):
        return True
    return (spec.minimum is None or value >= spec.minimum) and (
        spec.maximum is None or value <= spec.maximum)


def _label(spec: FieldSpec) -> str:
    return f"{spec.title} *" if spec.required else spec.title


def _number(spec: FieldSpec, value: Any, key: str) -> Any:
    integer = spec.kind == "int"
    cast: Callable[[float], Any] = int if integer else float
    bounded = _within(spec, value)
    low = cast(spec.minimum) if bounded and spec.minimum is not None else None
    high = cast(spec.maximum) if bounded and spec.maximum is not None else None
    start = None if value is None or isinstance(value, bool) else cast(value)
    return st.number_input(_label(spec), value=start, min_value=low, max_value=high,
                           step=1 if integer else None, format=None if integer else "%g",
                           key=key, help=spec.help)


def _choice(spec: FieldSpec, value: Any, key: str) -> Any:
    options = list(spec.choices)
    if value is not None and str(value) not in options:
        options.append(str(value))  # shown as loaded; the CLI's message says what is allowed
    index = options.index(str(value)) if value is not None else None
    return st.selectbox(_label(spec), options, index=index, key=key, help=spec.help,
                        placeholder=t("form.choose"))


def widget(spec: FieldSpec, value: Any, key: str) -> Any:
    """Draw the widget for one field, started at `value` (as `shown` gives it)."""
    if spec.kind in ("int", "float"):
        return _number(spec, value, key)
    if spec.kind == "bool":
        return st.checkbox(_label(spec), value=bool(value), key=key, help=spec.help)
    if spec.kind == "optional_bool":
        options = ["", "yes", "no"]
        labels = {"": t("form.unknown"), "yes": t("form.yes"), "no": t("form.no")}
        return st.selectbox(_label(spec), options, index=options.index(value or ""), key=key,
                            help=spec.help, format_func=labels.__getitem__)
    if spec.kind == "choice":
        return _choice(spec, value, key)
    if spec.kind == "list":
        return st.text_area(_label(spec), value=value or "", key=key, height=80,
                            help=f"{spec.help or ''} {t('form.one_per_line')}".strip())
    if spec.kind == "long_text":
        return st.text_area(_label(spec), value=value or "", key=key, height=80, help=spec.help)
    if spec.kind == "money":
        return st.text_input(_label(spec), value=value or "", key=key,
                             help=f"{spec.help or ''} {t('form.money_help')}".strip())
    return st.text_input(_label(spec), value="" if value is None else str(value), key=key,
                         help=spec.help)


def _remove(data: dict[str, Any], path: tuple[str, ...]) -> None:
    """Delete a path and the dicts it leaves empty."""
    node = get_path(data, path[:-1]) if len(path) > 1 else data
    if isinstance(node, dict):
        node.pop(path[-1], None)
        if len(path) > 1 and not node:
            _remove(data, path[:-1])


def field_section(section: Section, data: dict[str, Any], slots: Slots) -> None:
    """The widgets of one section, two columns wide; their values written into `data`."""
    prefix = f"w{intake_state.generation()}:"
    columns = st.columns(2)
    for index, spec in enumerate(section.fields):
        with columns[index % 2]:
            loaded = get_path(data, spec.path)
            value = widget(spec, shown(spec, loaded), prefix + spec.key)
            slots[spec.key] = st.empty()
        result = parsed(spec, value, stated=loaded is not None)
        if result is None:
            _remove(data, spec.path)
        else:
            set_path(data, spec.path, result)


def _column(spec: FieldSpec, sizes: list[str]) -> Any:
    """The data-editor column for a spec: a select box for choices, bounds for numbers."""
    config = st.column_config
    label, tip = _label(spec), spec.help
    if spec.key == "size":
        return config.SelectboxColumn(label, options=sizes, help=tip)
    if spec.kind == "choice":
        return config.SelectboxColumn(label, options=list(spec.choices), help=tip,
                                      required=spec.required)
    if spec.kind == "optional_bool":
        return config.SelectboxColumn(label, options=["yes", "no"], help=tip)
    if spec.kind == "bool":
        return config.CheckboxColumn(label, help=tip, default=bool(spec.default))
    if spec.kind in ("int", "float"):
        return config.NumberColumn(label, help=tip, min_value=spec.minimum,
                                   max_value=spec.maximum, step=1 if spec.kind == "int" else None,
                                   format="%d" if spec.kind == "int" else "%g")
    if spec.kind == "list":
        return config.TextColumn(label, help=f"{tip or ''} {t('form.comma_list')}".strip())
    return config.TextColumn(label, help=tip, required=spec.required)


def _frame(section: Section, items: list[dict[str, Any]]) -> pd.DataFrame:
    """The table's start rows, typed per column so empty tables still edit the right way."""
    rows = [item_to_row(section.fields, item) for item in items]
    frame = pd.DataFrame(rows, columns=[spec.key for spec in section.fields])
    for spec in section.fields:
        if spec.kind in ("int", "float"):
            frame[spec.key] = pd.to_numeric(frame[spec.key], errors="coerce").astype("float64")
        elif spec.kind == "bool":
            frame[spec.key] = frame[spec.key].fillna(False).astype(bool)
        else:
            frame[spec.key] = frame[spec.key].astype("object")
    return frame


def _start_rows(section: Section, data: dict[str, Any]) -> pd.DataFrame:
    """The rows the editor starts from, fixed per load (the editor keeps the edits itself)."""
    key = f"rows{intake_state.generation()}:{section.name}"
    if key not in st.session_state:
        items = get_path(data, section.path)
        st.session_state[key] = _frame(section, items if isinstance(items, list) else [])
    frame: pd.DataFrame = st.session_state[key]
    return frame


def _sizes(data: dict[str, Any]) -> list[str]:
    own = [row.get("name") for row in data.get("catalogue_overrides") or []
           if isinstance(row, dict) and row.get("name")]
    loaded = [c.get("size") for c in data.get("components") or [] if isinstance(c, dict)]
    return list(dict.fromkeys([*catalogue_sizes(), *own, *[s for s in loaded if s]]))


def table_section(section: Section, data: dict[str, Any], slots: Slots) -> None:
    """A list of models as an editable table; its rows written into `data` as list items."""
    columns = {spec.key: _column(spec, _sizes(data)) for spec in section.fields}
    edited = st.data_editor(_start_rows(section, data), column_config=columns,
                            num_rows="dynamic", hide_index=True, width="stretch",
                            key=f"t{intake_state.generation()}:{section.name}")
    slots[section.name] = st.empty()
    loaded = get_path(data, section.path) or []
    items = [row_to_item(section.fields, row, loaded[i] if i < len(loaded) else None)
             for i, row in enumerate(edited.to_dict("records"))]
    items = [item for item in items if item]
    if items:
        set_path(data, section.path, items)
    else:
        _remove(data, section.path)


def intake_form(data: dict[str, Any]) -> Slots:
    """Draw every section of the intake schema as a tab; return the message slots."""
    steps = sections(Intake)
    slots: Slots = {}
    tabs = st.tabs([step.title for step in steps])
    for tab, step in zip(tabs, steps, strict=True):
        with tab:
            if step.help:
                st.caption(step.help)
            if step.table:
                table_section(step, data, slots)
            else:
                field_section(step, data, slots)
    return slots


def show_problems(problems: list[Any], slots: Slots) -> None:
    """Put each of the CLI's messages under its field, or under the table it belongs to."""
    by_slot: dict[str, list[str]] = {}
    for problem in problems:
        field = problem.field or ""
        slot = _slot_for(field, slots)
        text = problem.message if slot == field else f"{field}: {problem.message}"
        by_slot.setdefault(slot, []).append(text)
    for slot, messages in by_slot.items():
        if slot in slots:
            slots[slot].error("\n\n".join(messages), icon="⚠️")


def _slot_for(field: str, slots: Slots) -> str:
    """The slot a problem's field path belongs to: the field, else its table or section."""
    if field in slots:
        return field
    table = field.split("[", 1)[0]
    if table in slots:
        return table
    parts = field.split(".")
    for depth in range(len(parts) - 1, 0, -1):
        if ".".join(parts[:depth]) in slots:
            return ".".join(parts[:depth])
    return field
