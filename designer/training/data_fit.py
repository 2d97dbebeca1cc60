"""Datasets loaded off the GUI thread, and the design's fit to its data as Problems.

`data_service()` is the one `DataService` of the application: it loads a dataset section (in
the design's folder) on a Python thread, remembers the last few results, and emits
`ready(key)` in the GUI thread when one is in. Sources that describe themselves from options
or headers (digits, IDX, CIFAR-10, image folders) are described at once, without loading.
Nothing about a dataset — importing scikit-learn for iris, reading a CSV — ever runs on the
GUI thread.

`DataChecks` adds the training-settings and design/data problems of
`backend.training.preflight.run_problems` to the editor's analysis, so the Problems list, the
status bar and the Input's badge say "Input 'image' has shape (1, 28, 28) but dataset 'digits'
gives (1, 8, 8): …" with its one-click fix, and Train can refuse at once. An empty design is
not checked against its data until Train is pressed: a new canvas shows what to do first.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from backend.data import DataConfig, DatasetError, DatasetInfo
from backend.data.sources import get_source
from backend.graph import GraphDocument
from backend.graph.problems import Problem
from designer.editor import DocumentEditor

KEEP = 3  # datasets remembered (a CIFAR-10 batch is 150 MB)


@dataclass(frozen=True)
class Loaded:
    info: DatasetInfo | None = None
    data: object | None = None  # the Dataset, when loaded in full
    error: str = ""


def section_key(section: dict | None, folder: str | None) -> str:
    return json.dumps([section or {}, folder or ""], sort_keys=True, default=str)


def design_folder(editor: DocumentEditor) -> str | None:
    return str(Path(editor.path).parent) if editor.path else None


class DataService(QObject):
    ready = Signal(str)  # the key of a dataset whose loading ended (data or error)
    _loaded = Signal(str, object)  # from the loading thread

    def __init__(self) -> None:
        super().__init__()
        self._cache: OrderedDict[str, Loaded] = OrderedDict()
        self._pending: set[str] = set()
        self._loaded.connect(self._store)

    def info(self, section: dict | None, folder: str | None) -> Loaded | None:
        """The dataset's description now, or None while it is being loaded."""
        key = section_key(section, folder)
        if key in self._cache:
            return self._cache[key]
        described = _describe(section)
        if described is not None:
            return described
        self._request(key, section, folder)
        return None

    def dataset(self, section: dict | None, folder: str | None) -> Loaded | None:
        """The loaded dataset, or None while it is being loaded (`ready` follows)."""
        key = section_key(section, folder)
        found = self._cache.get(key)
        if found is not None and (found.data is not None or found.error):
            return found
        self._request(key, section, folder)
        return None

    def busy(self) -> bool:
        return bool(self._pending)

    def _request(self, key: str, section: dict | None, folder: str | None) -> None:
        if key in self._pending:
            return
        self._pending.add(key)
        threading.Thread(target=self._load, args=(key, section, folder), daemon=True,
                         name="netwright-data").start()

    def _load(self, key: str, section: dict | None, folder: str | None) -> None:
        from backend.data.files import data_folder

        try:
            with data_folder(folder):
                data = DataConfig.from_section(section).load()
            result = Loaded(data.info, data)
        except (DatasetError, ValueError, OSError) as exc:
            result = Loaded(error=str(exc))
        except Exception as exc:  # a loader bug still ends in a sentence
            result = Loaded(error=f"the dataset could not be loaded ({exc})")
        self._loaded.emit(key, result)

    @Slot(str, object)
    def _store(self, key: str, loaded: Loaded) -> None:
        self._pending.discard(key)
        self._cache[key] = loaded
        self._cache.move_to_end(key)
        while len(self._cache) > KEEP:
            self._cache.popitem(last=False)
        self.ready.emit(key)


def _describe(section: dict | None) -> Loaded | None:
    """The description of a source that can give it without loading (None if it cannot)."""
    try:
        config = DataConfig.from_section(section)
        source = get_source(config.name)
    except (DatasetError, ValueError, TypeError) as exc:
        return Loaded(error=str(exc))
    if source.describe is None:
        return None
    try:
        return Loaded(source.describe(config.options))
    except (DatasetError, ValueError, OSError) as exc:
        return Loaded(error=str(exc))


_SERVICE: DataService | None = None


def data_service() -> DataService:
    global _SERVICE
    if _SERVICE is None:
        _SERVICE = DataService()
    return _SERVICE


class DataChecks(QObject):
    """Adds the settings and data-fit problems to the editor's analysis (see the docstring)."""

    def __init__(self, editor: DocumentEditor, parent: QObject | None = None):
        super().__init__(parent)
        self.editor = editor
        self.service = data_service()
        self.settings_problems: list[Problem] = []
        self.data_problems: list[Problem] = []
        self._waiting = ""
        self._train_pressed = False
        self.service.ready.connect(self._on_ready)
        editor.add_checker(self.problems)

    def train_pressed(self) -> None:
        """Check even an empty design: Train on an empty canvas says why it cannot start."""
        self._train_pressed = True

    def problems(self, doc: GraphDocument, analysis) -> list[Problem]:
        from backend.training.preflight import run_problems_by_kind

        if not doc.nodes and not self._train_pressed:
            # an empty canvas is a start, not a mistake: the Problems list says what to do first
            self.settings_problems, self.data_problems = [], []
            return []
        if doc.nodes:  # emptied again later: the hint again, until Train is pressed
            self._train_pressed = False
        section = doc.sections.get("dataset")
        folder = design_folder(self.editor)
        loaded = self.service.info(section, folder)
        self._waiting = "" if loaded is not None else section_key(section, folder)
        if loaded is None:
            found = run_problems_by_kind(doc, analysis, fit=False)
        else:
            found = run_problems_by_kind(doc, analysis, info=loaded.info,
                                         data_error=loaded.error)
        self.settings_problems, self.data_problems = found
        return found[0] + found[1]

    @Slot(str)
    def _on_ready(self, key: str) -> None:
        if key == self._waiting:
            self._waiting = ""
            self.editor.reanalyse()

    def detach(self) -> None:
        self.editor.remove_checker(self.problems)

