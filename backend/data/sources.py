"""The registry of data sources and the design's `dataset` section.

A source is registered once with its name, a loader `load(options) -> Dataset` and its
options with defaults; user-file sources (CSV, NPZ, IDX, image folders) plug in the same way
with options such as `path`. The `dataset` section of a design names a source and sets its
options plus the options every source shares (normalise, labels, seed). `DataConfig`
validates a section into typed values, refusing unknown names and wrong types with one
sentence that lists what is allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from backend.data.base import NORMALISATIONS, Dataset, DatasetError, DatasetInfo, quoted

LABELS = ("index", "onehot")
COMMON = {"normalise": "standard", "labels": "index", "seed": 0, "corruption": "none",
          "corruption_level": 0.3}


@dataclass(frozen=True)
class DataSource:
    name: str
    description: str
    load: Callable[[dict], Dataset]
    options: dict[str, Any] = field(default_factory=dict)
    # given the options and the Input shape the design wants, how to make the data fit:
    # in words, or (better, it can be applied in one click) as option changes
    shape_hint: Callable[[dict, tuple[int, ...]], str | None] | None = None
    # the DatasetInfo without loading the samples (for checks and previews of big sets)
    describe: Callable[[dict], DatasetInfo] | None = None
    shape_fix: Callable[[dict, tuple[int, ...]], dict | None] | None = None


_SOURCES: dict[str, DataSource] = {}


def register_source(source: DataSource) -> DataSource:
    _SOURCES[source.name] = source
    return source


def get_source(name: str) -> DataSource:
    _ensure_builtins()
    try:
        return _SOURCES[name]
    except KeyError:
        raise DatasetError(f"unknown dataset '{name}': choose one of "
                           f"{', '.join(_SOURCES)}") from None


# the order sources are listed in, whatever order their modules happened to be imported in
_MODULE_ORDER = ("backend.data.builtin", "backend.data.files", "backend.data.idx",
                 "backend.data.images", "backend.data.graphs", "backend.data.graph_files")


def _rank(source: DataSource) -> int:
    load = getattr(source.load, "func", source.load)
    module = getattr(load, "__module__", None)
    return _MODULE_ORDER.index(module) if module in _MODULE_ORDER else len(_MODULE_ORDER)


def source_names() -> list[str]:
    """Bundled sets first, then user files, then graphs; registration order within each."""
    _ensure_builtins()
    return sorted(_SOURCES, key=lambda name: _rank(_SOURCES[name]))  # sorted() is stable


def _ensure_builtins() -> None:
    import backend.data.builtin  # noqa: F401  (registers the bundled sets)
    import backend.data.files  # noqa: F401  (registers the user-file sources)
    import backend.data.graphs  # noqa: F401  (registers the graphs)


@dataclass(frozen=True)
class DataConfig:
    """A validated `dataset` section: a source name and all its options (defaults filled)."""

    name: str = "digits"
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def normalise(self) -> str:
        return self.options.get("normalise", "standard")

    @property
    def labels(self) -> str:
        return self.options.get("labels", "index")

    @property
    def seed(self) -> int:
        return int(self.options.get("seed", 0))

    @classmethod
    def from_section(cls, section: dict | None) -> DataConfig:
        section = dict(section or {})
        name = section.pop("name", "digits")
        if not isinstance(name, str):
            raise DatasetError("the dataset's name must be text, e.g. \"digits\"")
        source = get_source(name)
        allowed = {**COMMON, **source.options}
        options = dict(allowed)
        for key, value in section.items():
            if key not in allowed:
                raise DatasetError(f"dataset '{name}' has no setting '{key}': use one of "
                                   f"{', '.join(allowed)}")
            options[key] = _checked(name, key, value, allowed[key])
        if options["normalise"] not in NORMALISATIONS:
            raise DatasetError(f"unknown normalisation '{options['normalise']}': choose one "
                               f"of {', '.join(NORMALISATIONS)}")
        if options["labels"] not in LABELS:
            raise DatasetError(f"unknown label format '{options['labels']}': choose one of "
                               f"{', '.join(LABELS)}")
        _check_corruption(options["corruption"], options["corruption_level"])
        return cls(name, options)

    def to_section(self) -> dict:
        return {"name": self.name, **self.options}

    def load(self) -> Dataset:
        """The data; a file that vanishes or breaks while it is read is one sentence."""
        try:
            return get_source(self.name).load(self.options)
        except (OSError, EOFError) as exc:
            text = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            raise DatasetError(f"dataset '{self.name}' cannot be read ({text}): check that its "
                               "files are in place and complete, then train again") from None

    def info(self) -> DatasetInfo:
        """What the data looks like, cheaply when the source can tell without loading."""
        source = get_source(self.name)
        return source.describe(self.options) if source.describe else source.load(
            self.options).info


def _checked(name: str, key: str, value: Any, default: Any) -> Any:
    """Values must have the default's type (ints pass for floats; None defaults take any)."""
    if default is None or value is None:
        return value
    ok = (isinstance(value, bool) if isinstance(default, bool)
          else isinstance(value, int | float) and not isinstance(value, bool)
          if isinstance(default, float)
          else isinstance(value, int) and not isinstance(value, bool)
          if isinstance(default, int) else isinstance(value, type(default)))
    if not ok:
        raise DatasetError(f"dataset '{name}' setting '{key}' must be "
                           f"{type(default).__name__}, like {default!r}, not {quoted(value)}")
    if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
        raise DatasetError(f"dataset '{name}' setting '{key}' must be at least 0 (counts, "
                           f"sizes, noise and seeds are never negative), not {value!r}")
    return float(value) if isinstance(default, float) else value


def _check_corruption(kind: str, level: float) -> None:
    from backend.data.corruption import CORRUPTIONS

    if kind not in CORRUPTIONS:
        raise DatasetError(f"unknown corruption '{kind}': choose one of {', '.join(CORRUPTIONS)}")
    top = 1.0 if kind in ("masking", "salt_and_pepper") else 100.0
    if not 0 <= level <= top:
        raise DatasetError(f"corruption_level for {kind} must be from 0 to {top:g}, not "
                           f"{level:g}")


def load_dataset(section: dict | None) -> Dataset:
    """Load the data a design's `dataset` section describes."""
    return DataConfig.from_section(section).load()
