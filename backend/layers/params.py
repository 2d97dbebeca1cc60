"""Parameter validation and normalisation against a layer's schema.

`validate_params` returns a complete, normalised params dict or raises `ParamError` with one
sentence naming the parameter and the values it accepts. It never raises anything else, so a
hand-edited design file can always be checked.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from backend.layers.spec import LayerSpec, Param, ParamError


def validate_params(spec: LayerSpec, params: dict) -> dict:
    unknown = sorted(set(params) - {p.name for p in spec.params})
    if unknown:
        names = ", ".join(p.name for p in spec.params) or "none"
        raise ParamError(f"{spec.type} has no parameter '{unknown[0]}' (it takes: {names})")
    out = spec.defaults()
    for p in spec.params:
        if p.name in params:
            out[p.name] = coerce(p, params[p.name])
    if spec.check is not None:
        spec.check(out)
    return out


def coerce(p: Param, value: Any) -> Any:
    """Return `value` as the schema's kind, or raise ParamError."""
    kind = p.kind
    if kind == "bool":
        if isinstance(value, bool):
            return value
        raise ParamError(f"'{p.name}' must be true or false, not {value!r}")
    if kind == "int":
        return _check_range(p, _as_int(p, value))
    if kind == "float":
        return _check_range(p, _as_float(p, value))
    if kind == "choice":
        if value in p.choices:
            return value
        raise ParamError(f"'{p.name}' must be one of {', '.join(p.choices)}, not {value!r}")
    if kind == "str":
        if isinstance(value, str):
            return value
        raise ParamError(f"'{p.name}' must be text, not {value!r}")
    if kind == "size":
        return _as_size(p, value)
    if kind == "padding":
        if value in ("valid", "same"):
            return value
        return _as_size(p, value)
    if kind == "shape":
        return _as_shape(p, value)
    raise ParamError(f"'{p.name}' has an unknown kind {kind!r}")


def _as_int(p: Param, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParamError(f"'{p.name}' must be a whole number, not {value!r}")
    if isinstance(value, float) and (not math.isfinite(value) or value != int(value)):
        raise ParamError(f"'{p.name}' must be a whole number, not {value!r}")
    return value if isinstance(value, int) else int(value)  # int subclasses pass unchanged


def _as_float(p: Param, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParamError(f"'{p.name}' must be a number, not {value!r}")
    if not math.isfinite(value):
        raise ParamError(f"'{p.name}' must be a finite number, not {value!r}")
    return value if isinstance(value, float) else float(value)


def _check_range(p: Param, v: int | float) -> int | float:
    if p.min is not None and v < p.min:
        raise ParamError(f"'{p.name}' must be at least {_num(p.min)}, not {_num(v)}")
    if p.max is not None:
        if p.exclusive_max and v >= p.max:
            raise ParamError(f"'{p.name}' must be below {_num(p.max)}, not {_num(v)}")
        if v > p.max:
            raise ParamError(f"'{p.name}' must be at most {_num(p.max)}, not {_num(v)}")
    return v


def _as_size(p: Param, value: Any) -> int | list[int]:
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise ParamError(f"'{p.name}' must be a number or a pair [h, w], not {value!r}")
        pair = [_check_range(p, _as_int(p, v)) for v in value]
        return pair[0] if pair[0] == pair[1] else pair
    return _check_range(p, _as_int(p, value))


def _as_shape(p: Param, value: Any) -> list[int]:
    if isinstance(value, list | tuple) and not value and p.empty:
        return []
    if not isinstance(value, list | tuple) or not value or len(value) > 6:
        raise ParamError(f"'{p.name}' must be a list of 1 to 6 sizes, e.g. [1, 28, 28]")
    dims = [_as_int(p, v) for v in value]
    if any(d < 1 and d != -1 for d in dims) or dims.count(-1) > 1:
        raise ParamError(f"'{p.name}' sizes must be positive (one -1 allowed), not {value!r}")
    if any(d > 1_000_000 for d in dims):
        raise ParamError(f"'{p.name}' sizes must be at most 1000000, not {value!r}")
    return dims


def _num(v: float) -> str:
    """A number for a message: whole numbers without '.0', huge ones shortened."""
    if isinstance(v, int):
        text = str(v)
        return text if len(text) <= 15 else f"{text[0]}.{text[1:3]}e+{len(text) - 1}"
    if abs(v) >= 1e15:
        return f"{v:.3g}"
    return str(int(v)) if v.is_integer() else repr(v)


def pair(value: int | list[int]) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (value[0], value[1])


def type_problem(spec: LayerSpec, params: dict) -> str | None:
    """A sentence if a param is unknown or of the wrong type (ranges are not checked)."""
    for name, value in params.items():
        try:
            p = spec.param(name)
        except KeyError:
            names = ", ".join(q.name for q in spec.params) or "none"
            return f"unknown parameter '{name}' (it takes: {names})"
        try:
            _check_type(p, value)
        except ParamError as exc:
            return str(exc)
    return None


def _check_type(p: Param, value: Any) -> None:
    if p.kind in ("choice", "str"):
        if not isinstance(value, str):
            raise ParamError(f"'{p.name}' must be text, not {value!r}")
    elif p.kind == "shape":
        if not isinstance(value, list) or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in value):
            raise ParamError(f"'{p.name}' must be a list of whole numbers, not {value!r}")
    else:
        coerce(replace(p, min=None, max=None), value)
