"""The bundled datasets; all work offline (scikit-learn ships the small real ones).

digits (8×8 handwritten digits, resizable so LeNet-5 and 28×28 CNNs train on them), iris,
wine, breast cancer, diabetes (regression), the 2-D playground sets two-moons, circles,
spirals and XOR with a noise setting, and sine-wave forecasting windows.
Generated sets are deterministic for a given `seed` option.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import numpy as np

from backend.data.base import Dataset, DatasetError, DatasetInfo
from backend.data.sources import DataSource, register_source


@functools.cache
def _digits_raw() -> tuple[np.ndarray, np.ndarray]:
    """(images (1797, 8, 8) in 0..16, labels); read from scikit-learn's bundled file without
    importing scikit-learn (a second or more of start-up), else through it."""
    spec = importlib.util.find_spec("sklearn")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz" \
        if spec and spec.submodule_search_locations else None
    try:
        if path is not None and path.is_file():
            table = np.loadtxt(path, delimiter=",", dtype=np.float32)
            return table[:, :-1].reshape(-1, 8, 8), table[:, -1].astype(np.int64)
        from sklearn.datasets import load_digits

        raw = load_digits()
    except (OSError, EOFError, ValueError) as exc:  # a damaged or half-written install
        raise damaged("digits", exc) from None
    return raw.images.astype(np.float32), raw.target.astype(np.int64)


def damaged(name: str, exc: BaseException) -> DatasetError:
    """The sentence for a bundled data file that is missing or cut short."""
    return DatasetError(f"the bundled {name} data cannot be read ({str(exc)[:120]}): "
                        "reinstall scikit-learn (pip install --force-reinstall scikit-learn)")


def _digits_info(o: dict) -> DatasetInfo:
    size, channels = o.get("resize"), o["channels"]
    if size is not None and (not isinstance(size, int) or isinstance(size, bool)
                             or not 4 <= size <= 512):
        raise DatasetError(f"digits resize must be a whole number from 4 to 512 (or null), "
                           f"not {size!r}")
    if channels not in (1, 3):
        raise DatasetError(f"digits channels must be 1 or 3, not {channels!r}")
    shape = (channels, size or 8, size or 8)
    if o["flatten"]:
        shape = (shape[0] * shape[1] * shape[2],)
    return DatasetInfo("digits", "classification", shape, 10,
                       tuple(str(i) for i in range(10)),
                       kind="tabular" if o["flatten"] else "image",
                       description="1,797 handwritten digits, 8×8 grey levels (scikit-learn).")


def _digits(o: dict) -> Dataset:
    info = _digits_info(o)
    images, labels = _digits_raw()
    x = (images / 16.0)[:, None]
    if o.get("resize") is not None:
        x = _resize(x, o["resize"])
    x = np.repeat(x, o["channels"], axis=1) if o["channels"] == 3 else x
    x = x.reshape(len(x), *info.input_shape)
    return Dataset(info, np.ascontiguousarray(x, dtype=np.float32), labels.copy())


def _resize(x: np.ndarray, size: int) -> np.ndarray:
    import torch
    import torch.nn.functional as F

    with torch.no_grad():
        t = F.interpolate(torch.from_numpy(x), size=(size, size), mode="bilinear",
                          align_corners=False)
    return t.numpy().astype(np.float32)


def _digits_fix(o: dict, want: tuple[int, ...]) -> dict | None:
    """Options that give digits of shape `want` (resize, channels, flatten), if any do."""
    if len(want) == 1:
        return {"flatten": True} if want[0] == 64 * o["channels"] else None
    if len(want) == 3 and want[1] == want[2] and want[0] in (1, 3) and 4 <= want[1] <= 512:
        changes = {}
        if want[1] != (o.get("resize") or 8):
            changes["resize"] = None if want[1] == 8 else want[1]
        if want[0] != o["channels"]:
            changes["channels"] = want[0]
        if o.get("flatten"):
            changes["flatten"] = False
        return changes or None
    return None


def _sklearn_table(loader: str, name: str, description: str):
    def load(o: dict) -> Dataset:
        import sklearn.datasets as skd

        try:
            raw = getattr(skd, loader)()
        except (OSError, EOFError, ValueError) as exc:  # a damaged or half-written install
            raise damaged(name, exc) from None
        x = raw.data.astype(np.float32)
        names = tuple(str(n) for n in getattr(raw, "target_names", ()))
        info = DatasetInfo(name, "classification", (x.shape[1],), len(names), names,
                           description=description)
        return Dataset(info, x, raw.target.astype(np.int64))
    return load


def _diabetes(o: dict) -> Dataset:
    from sklearn.datasets import load_diabetes

    raw = load_diabetes()
    x = raw.data.astype(np.float32)
    y = raw.target.astype(np.float32)[:, None]
    y = (y - y.mean()) / y.std()
    info = DatasetInfo("diabetes", "regression", (10,), target_shape=(1,),
                       description="442 patients, 10 features -> disease progression "
                                   "(standardised), a regression set.")
    return Dataset(info, x, y)


def _points(name: str, labels: np.ndarray, xy: np.ndarray, classes: int, text: str) -> Dataset:
    info = DatasetInfo(name, "classification", (2,), classes,
                       tuple(f"class {i}" for i in range(classes)), kind="points",
                       description=text)
    return Dataset(info, xy.astype(np.float32), labels.astype(np.int64))


def _moons(o: dict) -> Dataset:
    from sklearn.datasets import make_moons

    xy, y = make_moons(o["samples"], noise=o["noise"], random_state=o["seed"])
    return _points("moons", y, xy, 2, "Two interleaving half circles in 2-D.")


def _circles(o: dict) -> Dataset:
    from sklearn.datasets import make_circles

    xy, y = make_circles(o["samples"], noise=o["noise"], factor=0.5, random_state=o["seed"])
    return _points("circles", y, xy, 2, "A circle inside a ring in 2-D.")


def _spirals(o: dict) -> Dataset:
    k, n = o["classes"], o["samples"]
    if not 2 <= k <= 10:
        raise DatasetError(f"spirals classes must be from 2 to 10, not {k}")
    rng = np.random.default_rng(o["seed"])
    y = np.arange(n) % k
    r = rng.uniform(0.05, 1.0, n)
    theta = y * 2 * np.pi / k + r * 4.0 + rng.normal(0, o["noise"] * 2.0, n)
    xy = np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1)
    return _points("spirals", y, xy, k, f"{k} interleaved spiral arms in 2-D.")


def _xor(o: dict) -> Dataset:
    rng = np.random.default_rng(o["seed"])
    xy = rng.uniform(-1, 1, (o["samples"], 2))
    y = (xy[:, 0] * xy[:, 1] < 0).astype(np.int64)
    xy = xy + rng.normal(0, o["noise"], xy.shape)
    return _points("xor", y, xy, 2, "XOR: opposite quadrants share a class.")


def _sine(o: dict) -> Dataset:
    n, t = o["samples"], o["window"]
    if not 2 <= t <= 1000:
        raise DatasetError(f"sine window must be from 2 to 1000 steps, not {t}")
    rng = np.random.default_rng(o["seed"])
    freq = rng.uniform(0.1, 0.4, (n, 1))
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    steps = np.arange(t + 1)[None, :]
    wave = np.sin(freq * steps + phase) + rng.normal(0, o["noise"], (n, t + 1))
    if o["per_step"]:  # sequence to sequence: after every value, the one that follows
        info = DatasetInfo("sine", "sequence", (t, 1), target_shape=(t, 1), kind="series",
                           description=f"Sine waves: at each of {t} steps, the next value.")
        return Dataset(info, wave[:, :t, None].astype(np.float32),
                       wave[:, 1:, None].astype(np.float32))
    info = DatasetInfo("sine", "sequence", (t, 1), target_shape=(1,), kind="series",
                       description=f"Sine waves: {t} past values -> the next one.")
    return Dataset(info, wave[:, :t, None].astype(np.float32),
                   wave[:, t:].astype(np.float32))


def _sine_fix(o: dict, want: tuple[int, ...]) -> dict | None:
    if len(want) == 2 and want[1] == 1 and 2 <= want[0] <= 1000:
        return {"window": want[0]}
    return None


_POINTS = {"samples": 1000, "noise": 0.1}
for _src in (
    DataSource("digits", "Handwritten digits 8×8, 10 classes (resize to 28 or 32 for CNNs).",
               _digits, {"resize": None, "channels": 1, "flatten": False},
               describe=_digits_info, shape_fix=_digits_fix),
    DataSource("iris", "Iris flowers: 4 measurements, 3 species.",
               _sklearn_table("load_iris", "iris", "150 iris flowers, 4 features.")),
    DataSource("wine", "Wine: 13 chemical features, 3 cultivars.",
               _sklearn_table("load_wine", "wine", "178 wines, 13 features.")),
    DataSource("breast_cancer", "Breast cancer: 30 features, benign or malignant.",
               _sklearn_table("load_breast_cancer", "breast_cancer",
                              "569 tumours, 30 features.")),
    DataSource("diabetes", "Diabetes progression: 10 features -> 1 value (regression).",
               _diabetes),
    DataSource("moons", "Two moons in 2-D.", _moons, dict(_POINTS)),
    DataSource("circles", "Circle in a ring in 2-D.", _circles, dict(_POINTS)),
    DataSource("spirals", "Spiral arms in 2-D.", _spirals, {**_POINTS, "classes": 3}),
    DataSource("xor", "XOR quadrants in 2-D.", _xor, dict(_POINTS)),
    DataSource("sine", "Sine-wave forecasting: a window of T values -> the next.",
               _sine, {"samples": 1000, "window": 20, "noise": 0.05, "normalise": "none",
                       "per_step": False},
               shape_fix=_sine_fix),
):
    register_source(_src)
