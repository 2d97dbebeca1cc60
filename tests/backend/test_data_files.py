"""User data files (CSV, .npz, IDX, CIFAR-10, image folders): load, train, refuse bad files."""

import gzip
import json
import struct

import numpy as np
import pytest

from backend.cli import main
from backend.data import DataConfig, DatasetError, load_dataset
from backend.data.files import data_folder
from backend.project import save_design
from backend.templates import make_template
from backend.training import Trainer, TrainingConfig


def write_csv(path, rows, header="a,b,label"):
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return path


def sample_csv(path, n=60):
    rng = np.random.default_rng(0)
    rows = [f"{a:.3f},{b:.3f},{'cat' if a > b else 'dog'}"
            for a, b in rng.normal(size=(n, 2))]
    return write_csv(path, rows)


def idx_bytes(arr, code=0x08):
    head = bytes([0, 0, code, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return head + arr.astype(">u1" if code == 0x08 else arr.dtype).tobytes()


def design_for(section, shape, units, task="classification"):
    doc = make_template("mlp")
    doc.nodes["digits_1"].params["shape"] = list(shape)
    doc.nodes["classes_1"].params["units"] = units
    doc.sections["dataset"] = section
    loss = "cross_entropy" if task == "classification" else "mse"
    doc.sections["training"].update(epochs=1, task=task, loss=loss, batch_size=16)
    return doc


def train_one_epoch(doc):
    trainer = Trainer(doc, config=TrainingConfig.from_section(
        {**doc.sections["training"], "device": "cpu"}))
    finished = trainer.run()
    assert finished.reason != "error", finished.message
    assert np.isfinite(finished.history[-1]["train_loss"])


def test_csv_text_labels_become_sorted_classes_and_train(tmp_path):
    section = {"name": "csv", "path": str(sample_csv(tmp_path / "d.csv")), "target": "label"}
    data = load_dataset(section)
    assert data.x.shape == (60, 2) and data.x.dtype == np.float32
    assert data.info.class_names == ("cat", "dog") and data.info.num_classes == 2
    assert set(data.y.tolist()) == {0, 1}
    train_one_epoch(design_for(section, [2], 2))


def test_csv_features_can_be_chosen_and_regression_targets_are_values(tmp_path):
    rows = [f"{i},{i * 2},{i * 0.5}" for i in range(40)]
    path = write_csv(tmp_path / "r.csv", rows, header="x1,x2,y")
    section = {"name": "csv", "path": str(path), "features": ["x2"], "target": "y",
               "task": "regression"}
    data = load_dataset(section)
    assert data.x.shape == (40, 1) and data.y.shape == (40, 1)
    assert data.info.task == "regression" and data.x[3, 0] == 6.0
    train_one_epoch(design_for(section, [1], 1, task="regression"))


def test_npz_loads_without_pickle_and_trains(tmp_path):
    rng = np.random.default_rng(1)
    np.savez(tmp_path / "d.npz", x=rng.normal(size=(50, 1, 6, 6)), y=np.arange(50) % 3)
    section = {"name": "npz", "path": str(tmp_path / "d.npz")}
    data = load_dataset(section)
    assert data.info.input_shape == (1, 6, 6) and data.info.is_image
    assert data.info.num_classes == 3 and data.info.class_names == ("0", "1", "2")
    train_one_epoch(design_for(section, [1, 6, 6], 3))


def test_idx_gz_files_load_as_images_and_train(tmp_path):
    rng = np.random.default_rng(2)
    images = rng.integers(0, 256, (40, 5, 5), dtype=np.uint8)
    (tmp_path / "img.gz").write_bytes(gzip.compress(idx_bytes(images)))
    (tmp_path / "lab").write_bytes(idx_bytes(np.arange(40, dtype=np.uint8) % 10))
    section = {"name": "idx", "images": "img.gz", "label_file": "lab"}
    with data_folder(tmp_path):  # relative paths start at the design's folder
        data = load_dataset(section)
        assert data.x.shape == (40, 1, 5, 5) and 0 <= data.x.min() and data.x.max() <= 1
        assert np.allclose(data.x[0, 0] * 255, images[0])
        assert data.info.num_classes == 10
        train_one_epoch(design_for(section, [1, 5, 5], 10))


def test_cifar10_batches_load_with_their_class_names(tmp_path):
    folder = tmp_path / "cifar-10-batches-bin"
    folder.mkdir()
    rng = np.random.default_rng(3)
    for i in (1, 2):
        rec = rng.integers(0, 256, (20, 3073), dtype=np.uint8)
        rec[:, 0] = np.arange(20) % 10
        (folder / f"data_batch_{i}.bin").write_bytes(rec.tobytes())
    (folder / "batches.meta.txt").write_text("\n".join(f"c{i}" for i in range(10)) + "\n")
    section = {"name": "cifar10", "folder": str(folder)}
    data = load_dataset(section)
    assert data.x.shape == (40, 3, 32, 32) and data.info.class_names[3] == "c3"
    train_one_epoch(design_for(section, [3, 32, 32], 10))


def test_image_folder_reads_class_subfolders(tmp_path):
    image = pytest.importorskip("PIL.Image")
    for c, colour in (("red", (255, 0, 0)), ("blue", (0, 0, 255))):
        (tmp_path / c).mkdir()
        for i in range(12):
            image.new("RGB", (10, 7), colour).save(tmp_path / c / f"{i}.png")
    section = {"name": "image-folder", "path": str(tmp_path), "size": [8, 8],
               "grayscale": True}
    data = load_dataset(section)
    assert data.x.shape == (24, 1, 8, 8) and data.info.class_names == ("blue", "red")
    train_one_epoch(design_for(section, [1, 8, 8], 2))


def test_image_folder_without_pillow_says_to_install_it(tmp_path, monkeypatch):
    import builtins

    real = builtins.__import__

    def no_pil(name, *args, **kwargs):
        if name.startswith("PIL"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    (tmp_path / "a").mkdir()
    monkeypatch.setattr(builtins, "__import__", no_pil)
    with pytest.raises(DatasetError, match="install Pillow to read image folders"):
        load_dataset({"name": "image-folder", "path": str(tmp_path)})


def _bad_npz_object(tmp_path):
    np.savez(tmp_path / "o.npz", x=np.array([{"a": 1}] * 3, dtype=object), y=np.arange(3))
    return {"name": "npz", "path": str(tmp_path / "o.npz")}


def _bad_npz_lengths(tmp_path):
    np.savez(tmp_path / "l.npz", x=np.zeros((5, 2)), y=np.zeros(4))
    return {"name": "npz", "path": str(tmp_path / "l.npz")}


def _bad_idx_magic(tmp_path):
    (tmp_path / "i").write_bytes(b"\x12\x34\x56\x78" + bytes(20))
    (tmp_path / "l").write_bytes(idx_bytes(np.zeros(1, np.uint8)))
    return {"name": "idx", "images": str(tmp_path / "i"), "label_file": str(tmp_path / "l")}


def _bad_idx_truncated(tmp_path):
    (tmp_path / "i").write_bytes(idx_bytes(np.zeros((10, 4, 4), np.uint8))[:-5])
    (tmp_path / "l").write_bytes(idx_bytes(np.zeros(10, np.uint8)))
    return {"name": "idx", "images": str(tmp_path / "i"), "label_file": str(tmp_path / "l")}


def _bad_cifar_truncated(tmp_path):
    (tmp_path / "data_batch_1.bin").write_bytes(bytes(3073 * 2 - 7))
    return {"name": "cifar10", "folder": str(tmp_path)}


def _bad_csv_text_feature(tmp_path):
    path = write_csv(tmp_path / "t.csv", ["1,2,x", "3,oops,y"])
    return {"name": "csv", "path": str(path), "target": "label"}


def _bad_csv_column(tmp_path):
    return {"name": "csv", "path": str(sample_csv(tmp_path / "c.csv")), "target": "species"}


def _bad_csv_nan(tmp_path):
    path = write_csv(tmp_path / "n.csv", ["1,2,x", "", "3,nan,y"])  # blank lines count
    return {"name": "csv", "path": str(path), "target": "label"}


def _bad_npz_inf(tmp_path):
    x = np.zeros((4, 2))
    x[2, 1] = np.inf
    np.savez(tmp_path / "f.npz", x=x, y=np.arange(4))
    return {"name": "npz", "path": str(tmp_path / "f.npz")}


def _bad_csv_many_classes(tmp_path):
    path = write_csv(tmp_path / "m.csv", [f"{i},1,{i * 0.5}" for i in range(1001)])
    return {"name": "csv", "path": str(path)}


def _bad_gz(tmp_path):
    noise = np.random.default_rng(4).integers(0, 256, 2000, dtype=np.uint8).tobytes()
    (tmp_path / "i.gz").write_bytes(gzip.compress(noise)[:500])
    (tmp_path / "l").write_bytes(b"")
    return {"name": "idx", "images": str(tmp_path / "i.gz"), "label_file": str(tmp_path / "l")}


@pytest.mark.parametrize("make, words", [
    (lambda p: {"name": "csv", "path": str(p / "nope.csv")}, "does not exist: check"),
    (_bad_csv_text_feature, "column 'b' row 3 holds 'oops', not a number"),
    (_bad_csv_column, "no column 'species': available columns are a, b, label"),
    (_bad_npz_object, "holds Python objects, which Netwright never unpickles"),
    (_bad_npz_lengths, "make their first dimensions equal"),
    (_bad_idx_magic, "is not an IDX file (magic number 12345678)"),
    (_bad_idx_truncated, "is truncated: its header promises (10, 4, 4) values"),
    (_bad_cifar_truncated, "is truncated or not a CIFAR-10 binary batch"),
    (_bad_gz, "cannot be read"),
    (_bad_csv_many_classes, "1,001 different values, too many classes: set the dataset's "
                            "task to regression"),
    (lambda p: {"name": "csv", "path": str(sample_csv(p / "c.csv")), "delimiter": ";;"},
     "csv delimiter must be one character"),
    (_bad_csv_nan, "column 'b' row 4 holds 'nan': fill in a finite number"),
    (_bad_npz_inf, "x holds NaN or infinite values in sample 2"),
    (lambda p: {"name": "npz", "path": str(sample_csv(p / "c.csv"))}, "not a NumPy .npz"),
])
def test_bad_files_are_one_sentence_with_the_fix(tmp_path, make, words):
    with pytest.raises(DatasetError) as err:
        load_dataset(make(tmp_path))
    assert words in str(err.value) and "\n" not in str(err.value)


def test_files_over_the_size_cap_are_refused_before_reading(tmp_path, monkeypatch):
    import backend.data.files as files

    monkeypatch.setattr(files, "MAX_CSV_BYTES", 100)
    path = sample_csv(tmp_path / "big.csv")
    with pytest.raises(DatasetError, match="Netwright reads: use a smaller part of it"):
        load_dataset({"name": "csv", "path": str(path)})


def test_unknown_options_and_tasks_list_what_is_allowed():
    with pytest.raises(DatasetError, match="has no setting 'file': use one of"):
        DataConfig.from_section({"name": "csv", "file": "d.csv"})
    with pytest.raises(DatasetError, match="task must be one of classification, regression"):
        load_dataset({"name": "npz", "path": __file__, "task": "clustering"})


@pytest.fixture
def csv_design(tmp_path):
    sample_csv(tmp_path / "data.csv")
    section = {"name": "csv", "path": "data.csv", "target": "label"}
    path = tmp_path / "design.json"
    save_design(design_for(section, [2], 2), path)
    return path


def test_cli_trains_on_a_csv_beside_the_design(csv_design, capsys, monkeypatch):
    monkeypatch.chdir(csv_design.parent.parent)  # the path is relative to the design
    assert main(["train", str(csv_design), "--epochs", "1", "--json", "--device", "cpu"]) == 0
    row = json.loads(capsys.readouterr().out.strip().splitlines()[0])
    assert row["epoch"] == 1 and np.isfinite(row["train_loss"])
    assert csv_design.with_suffix(".safetensors").exists()


def test_cli_bad_csv_is_one_line_and_exit_2(csv_design, capsys):
    (csv_design.parent / "data.csv").write_text("a,b,label\n1,two,x\n")
    assert main(["train", str(csv_design), "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    assert "column 'b' row 2 holds 'two', not a number" in err and err.count("\n") == 1


def _good_files(tmp_path):
    """Dataset sections naming a good file of each kind train.py can read."""
    rng = np.random.default_rng(5)
    np.savez(tmp_path / "g.npz", x=rng.normal(size=(30, 4)), y=np.eye(3)[np.arange(30) % 3])
    images = rng.integers(0, 256, (30, 4, 4), dtype=np.uint8)
    (tmp_path / "gi.gz").write_bytes(gzip.compress(idx_bytes(images)))
    (tmp_path / "gl").write_bytes(idx_bytes(np.arange(30, dtype=np.uint8) % 4))
    rec = rng.integers(0, 256, (12, 3073), dtype=np.uint8)
    rec[:, 0] %= 10
    (tmp_path / "test_batch.bin").write_bytes(rec.tobytes())
    return [{"name": "csv", "path": str(sample_csv(tmp_path / "g.csv"))},
            {"name": "csv", "path": str(tmp_path / "g.csv"), "features": ["b"],
             "target": "a", "task": "regression"},
            {"name": "npz", "path": str(tmp_path / "g.npz")},
            {"name": "idx", "images": str(tmp_path / "gi.gz"),
             "label_file": str(tmp_path / "gl")},
            {"name": "cifar10", "folder": str(tmp_path), "part": "test"}]


def test_idx_and_cifar10_describe_themselves_without_loading(tmp_path):
    for section in _good_files(tmp_path)[3:]:
        config = DataConfig.from_section(section)
        assert config.info() == config.load().info


def test_train_py_loaders_read_the_same_samples_as_the_app(tmp_path):
    from backend.data import export_loaders

    for section in _good_files(tmp_path):
        config = DataConfig.from_section(section)
        data = config.load()
        func, _ = export_loaders.LOADERS[config.name]
        x, y, info = getattr(export_loaders, func)(config.options)
        assert np.array_equal(x, data.x) and np.array_equal(y, data.y), section
        assert info["task"] == data.info.task and info["kind"] == data.info.kind
        assert info["num_classes"] == data.info.num_classes


def test_exported_train_py_reads_the_csv_with_numpy(csv_design, tmp_path):
    import subprocess
    import sys

    from backend.codegen import python_module, train_script
    from backend.project import load_design

    doc = load_design(csv_design)
    source = python_module(doc)
    (tmp_path / "net.py").write_text(source.code)
    code = train_script(doc, "net", source.class_name)
    assert "def load_csv(o):" in code and "import backend" not in code
    (tmp_path / "train.py").write_text(code)
    result = subprocess.run([sys.executable, "train.py", "--epochs", "1", "--device", "cpu"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=180,
                            env={**__import__("os").environ, "OMP_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "epoch 1/1" in result.stdout


def test_a_broken_image_names_the_file(tmp_path):
    pytest.importorskip("PIL.Image")
    for c in ("a", "b"):
        (tmp_path / c).mkdir()
        (tmp_path / c / "x.png").write_bytes(b"not a png")
    with pytest.raises(DatasetError, match=r"x.png cannot be read .*: remove or replace it"):
        load_dataset({"name": "image-folder", "path": str(tmp_path)})


def test_archives_and_idx_headers_that_promise_too_much_are_refused(tmp_path, monkeypatch):
    import backend.data.files as files

    np.savez_compressed(tmp_path / "z.npz", x=np.zeros((1000, 100)), y=np.zeros(1000))
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 100_000)
    with pytest.raises(DatasetError, match="z.npz unpacks to .* Netwright reads"):
        load_dataset({"name": "npz", "path": str(tmp_path / "z.npz")})
    head = bytes([0, 0, 8, 4]) + struct.pack(">4I", *[2**32 - 1] * 4)
    (tmp_path / "i").write_bytes(head)
    (tmp_path / "l").write_bytes(idx_bytes(np.zeros(1, np.uint8)))
    with pytest.raises(DatasetError, match="is truncated: its header promises"):
        load_dataset({"name": "idx", "images": str(tmp_path / "i"),
                      "label_file": str(tmp_path / "l")})
