"""The user's Python file: listing its module classes (without running it) and running it.

`module_classes(path)` reads the file with `ast` only: the classes that derive from
`nn.Module` (directly or through another class of the file) with their constructor's
arguments, so a dialog can offer them before anything runs. `load_class` and `instantiate`
RUN the user's code and are only called when the user explicitly asks for an import; every
failure is an `FxImportError` sentence naming the file, the line and the fix.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import importlib.util
import inspect
import json
import sys
import traceback
import uuid
from dataclasses import dataclass
from pathlib import Path

MAX_SOURCE_BYTES = 4 * 1024 * 1024
_MODULE_BASES = {"Module", "nn.Module", "torch.nn.Module", "Sequential", "nn.Sequential",
                 "torch.nn.Sequential"}


class FxImportError(ValueError):
    """The module cannot be imported as a design; the message says why and what to do.

    `items` lists each operation that has no layer: (line, operation, what to do)."""

    def __init__(self, message: str, items: list[tuple[int | None, str, str]] | None = None):
        super().__init__(message)
        self.items = items or []


@dataclass(frozen=True)
class ClassInfo:
    name: str
    line: int
    args: list[tuple[str, str | None]]  # (name, default as source text or None if required)
    used: bool = False  # another class of the file refers to it (a part, not the model)

    @property
    def required(self) -> list[str]:
        return [name for name, default in self.args if default is None]


def read_source(path: str | Path) -> str:
    path = Path(path)
    try:
        raw = path.read_bytes()[:MAX_SOURCE_BYTES + 1]
    except FileNotFoundError:
        raise FxImportError(f"{path} does not exist: check the path") from None
    except IsADirectoryError:
        raise FxImportError(f"{path} is a folder: choose a Python file") from None
    except OSError as exc:
        raise FxImportError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_SOURCE_BYTES:
        raise FxImportError(f"{path.name} is larger than 4 MB: choose the Python file that "
                            "defines the model")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FxImportError(f"{path.name} is not UTF-8 text: choose a Python source "
                            "file") from None


def module_classes(path: str | Path) -> list[ClassInfo]:
    """The nn.Module classes a file defines, found by reading it (nothing is run)."""
    path = Path(path)
    text = read_source(path)
    try:
        tree = ast.parse(text, filename=path.name)
    except SyntaxError as exc:
        raise FxImportError(f"{path.name} is not valid Python (line {exc.lineno}: {exc.msg}): "
                            "fix the file, then import it again") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise FxImportError(f"{path.name} cannot be parsed ({type(exc).__name__}): fix the "
                            "file, then import it again") from None
    classes = [s for s in tree.body if isinstance(s, ast.ClassDef)]
    modules: set[str] = set()
    changed = True
    while changed:
        changed = False
        for cls in classes:
            bases = {ast.unparse(b) for b in cls.bases}
            if cls.name not in modules and bases & (_MODULE_BASES | modules):
                modules.add(cls.name)
                changed = True
    mentioned = {n.id for c in classes for n in ast.walk(c) if isinstance(n, ast.Name)
                 and n.id != c.name and not any(n is b for b in c.bases)}
    return [ClassInfo(c.name, c.lineno, _init_args(c), c.name in mentioned)
            for c in classes if c.name in modules]


def likely_model(classes: list[ClassInfo]) -> ClassInfo | None:
    """The class most likely to be 'the model': the last one no other class uses."""
    free = [c for c in classes if not c.used]
    return (free or classes)[-1] if classes else None


def _init_args(cls: ast.ClassDef) -> list[tuple[str, str | None]]:
    init = next((s for s in cls.body if isinstance(s, ast.FunctionDef)
                 and s.name == "__init__"), None)
    if init is None:
        return []
    a = init.args
    positional = a.posonlyargs + a.args
    defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    out = [(arg.arg, None if d is None else ast.unparse(d))
           for arg, d in zip(positional, defaults, strict=True)][1:]  # without self
    out += [(arg.arg, None if d is None else ast.unparse(d))
            for arg, d in zip(a.kwonlyargs, a.kw_defaults, strict=True)]
    return out


def parse_args(text: str | None) -> tuple[list, dict]:
    """Constructor arguments from JSON: a list (positional) or an object (by name)."""
    if text is None or not text.strip():
        return [], {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FxImportError(f"the constructor arguments are not valid JSON ({exc.msg} at "
                            f"column {exc.colno}): write them like {{\"num_classes\": 10}} or "
                            "[1, 10]") from None
    if isinstance(value, dict):
        return [], value
    if isinstance(value, list):
        return value, {}
    return [value], {}


def load_class(path: str | Path, class_name: str | None = None):
    """RUN the user's file (they asked for it) and return the chosen nn.Module class."""
    from torch import nn

    path = Path(path)
    found = module_classes(path)  # a file that does not parse never runs
    name = f"netwright_user_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise FxImportError(f"{path.name} is not a Python file that can be imported: give it "
                            "a .py name")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, str(path.resolve().parent))  # so it finds files beside it
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:  # SystemExit from a script's main too
        raise FxImportError(f"{path.name} failed while running{_where(exc, path)} "
                            f"({_brief(exc)}): fix the file first") from None
    finally:
        sys.modules.pop(name, None)
        sys.path.remove(str(path.resolve().parent))
    classes = {k: v for k, v in vars(module).items() if isinstance(v, type)
               and issubclass(v, nn.Module) and v.__module__ == name}
    return _choose(classes, class_name, path, found)


def _choose(classes: dict, class_name: str | None, path: Path, found: list[ClassInfo]):
    names = ", ".join(sorted(classes)) or "none"
    if class_name is not None:
        if class_name not in classes:
            raise FxImportError(f"{path.name} defines no nn.Module named '{class_name}' (it "
                                f"has: {names}): give one of these with --class")
        return classes[class_name]
    if len(classes) != 1:
        raise FxImportError(f"{path.name} defines {len(classes)} nn.Module classes ({names}): "
                            "say which one to import with --class")
    return next(iter(classes.values()))


def instantiate(cls, args: list, kwargs: dict, path: str | Path | None = None):
    """Create the module; a missing or wrong constructor argument is one sentence."""
    try:
        return cls(*args, **kwargs)
    except TypeError as exc:
        if "argument" in str(exc) and _raised_by_call(exc):
            raise FxImportError(f"{cls.__name__}() cannot be created with the arguments given "
                                f"({_brief(exc)}): {_args_hint(cls, path)}") from None
        raise FxImportError(f"{cls.__name__}() failed{_where(exc, path)} ({_brief(exc)}): "
                            "check the constructor arguments") from None
    except BaseException as exc:
        raise FxImportError(f"{cls.__name__}() failed{_where(exc, path)} ({_brief(exc)}): "
                            "check the constructor arguments") from None


@contextlib.contextmanager
def recording_arguments():
    """While active, every module created records its constructor's numeric arguments:
    yields {id(module): {argument: number}} (blocks name their parameters after them).
    Module classes outside torch.nn get their __init__ wrapped, and restored afterwards."""
    from torch import nn

    recorded: dict[int, dict] = {}
    patched = []
    for cls in _module_classes(nn.Module):
        init = cls.__dict__.get("__init__")
        if init is None or cls.__module__.startswith("torch.nn"):
            continue
        try:
            signature = inspect.signature(init)
        except (TypeError, ValueError):
            continue
        cls.__init__ = _recorder(init, signature, recorded)
        patched.append((cls, init))
    try:
        yield recorded
    finally:
        for cls, init in patched:
            cls.__init__ = init


def _module_classes(base) -> list[type]:
    out, stack = [], [base]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in out:
                out.append(sub)
                stack.append(sub)
    return out


def _recorder(init, signature, recorded: dict):
    @functools.wraps(init)
    def _recording_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        try:
            bound = signature.bind(self, *args, **kwargs)
            bound.apply_defaults()
        except TypeError:
            return
        recorded[id(self)] = {k: v for k, v in list(bound.arguments.items())[1:]
                              if isinstance(v, int | float) and not isinstance(v, bool)}
    return _recording_init


def _raised_by_call(exc: BaseException) -> bool:
    """True when the TypeError comes from calling the constructor, not from inside it."""
    tb = exc.__traceback__
    depth = 0
    while tb is not None:
        depth += tb.tb_frame.f_code.co_name != "_recording_init"  # recording_arguments
        tb = tb.tb_next
    return depth <= 1


def _args_hint(cls, path) -> str:
    info = None
    if path is not None:
        info = next((c for c in module_classes(path) if c.name == cls.__name__), None)
    required = info.required if info else []
    if not required:
        return "check the constructor arguments (as JSON, e.g. {\"num_classes\": 10})"
    names = ", ".join(required[:-1]) + (" and " if len(required) > 1 else "") + required[-1]
    return (f"give {names} as JSON constructor arguments, e.g. "
            f"{{\"{required[0]}\": 10, ...}} or a list of {len(required)} values")


def _brief(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:160]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _where(exc: BaseException, path: str | Path | None) -> str:
    """' at line N' for the deepest frame of the traceback that lies in the user's file."""
    line = user_line(exc.__traceback__, path)
    return f" at line {line}" if line else ""


def user_line(tb, path: str | Path | None) -> int | None:
    if path is None:
        return None
    target = str(Path(path).resolve())
    line = None
    for frame in traceback.extract_tb(tb):
        try:
            if str(Path(frame.filename).resolve()) == target:
                line = frame.lineno
        except (OSError, ValueError):
            continue
    return line
