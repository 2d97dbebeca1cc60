"""The Convolution explorer's controls and how they are laid out (no behaviour).

`ConvolutionLayout` builds the page's widgets: the operation and its sizes, stride, padding,
dilation and bias (four to a row), the course-example and random buttons, the run row (which
learned filter and input channel to show), the input ⊛ kernel → output grids, the step bar
(First, ◀ Back, Play, Next ▶, Last and a slider), the products at the current position with
their sum, and the output-size formula. `conv_page.ConvolutionPage` connects and fills them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from designer.explore.page import ExplorePage
from designer.explore.widgets import NumberGrid, formula_label, label
from designer.theme import SPACE

MODES = (("conv", "Convolution"), ("max", "Max pooling"), ("avg", "Average pooling"))
LESSON = ("A kernel slides over the input. At each position the numbers under it are "
          "multiplied element by element with the kernel and summed into one output number "
          "(torch, like the course, does not flip the kernel). Type into the grids; step "
          "with ◀ ▶ or press Play.")


def _pair_spins(lo: int, hi: int, value: int) -> tuple[QSpinBox, QSpinBox]:
    spins = []
    for _ in range(2):
        spin = QSpinBox()
        spin.setFixedWidth(64)
        spin.setRange(lo, hi)
        spin.setValue(value)
        spin.setKeyboardTracking(False)
        spins.append(spin)
    return spins[0], spins[1]


class ConvolutionLayout(ExplorePage):
    """The Convolution page's widgets, built and laid out; nothing connected yet."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Convolution, step by step", LESSON, parent)
        self._build_settings()
        self._build_grids()
        self._build_steps()
        self.body.addStretch(1)

    def _build_settings(self) -> None:
        self.mode = QComboBox()
        for key, text in MODES:
            self.mode.addItem(text, key)
        self.in_rows, self.in_cols = _pair_spins(1, 32, 5)
        self.k_rows, self.k_cols = _pair_spins(1, 9, 3)
        self.stride = _pair_spins(1, 6, 1)
        self.padding = _pair_spins(0, 6, 0)
        self.dilation = _pair_spins(1, 4, 1)
        self.bias = QDoubleSpinBox()
        self.bias.setRange(-100, 100)
        self.bias.setDecimals(2)
        self.bias.setKeyboardTracking(False)
        self.bias.setFixedWidth(90)
        self.body.addLayout(self._settings_grid())
        self.example_button = QPushButton("Course example")
        self.example_button.setToolTip("The 5×5 binary input and the 3×3 X kernel of the slides")
        self.random_button = QPushButton("Random numbers")
        buttons = QHBoxLayout()
        buttons.addWidget(self.example_button)
        buttons.addWidget(self.random_button)
        buttons.addStretch(1)
        self.source_label = label("", "caption")
        self.body.addLayout(buttons)
        self.body.addWidget(self.source_label)
        self._build_run_row()

    def _settings_grid(self) -> QGridLayout:
        """Operation, sizes, stride, padding, dilation and bias, four to a row."""
        grid = QGridLayout()
        grid.setHorizontalSpacing(SPACE)
        rows = (("operation", (self.mode,)), ("input rows × cols", (self.in_rows, self.in_cols)),
                ("kernel rows × cols", (self.k_rows, self.k_cols)), ("stride", self.stride),
                ("padding", self.padding), ("dilation", self.dilation), ("bias", (self.bias,)))
        for i, (name, widgets) in enumerate(rows):
            col, row = (i % 4) * 2, i // 4
            grid.addWidget(QLabel(name), row, col)
            box = QHBoxLayout()
            for w in widgets:
                box.addWidget(w)
            box.addStretch(1)
            grid.addLayout(box, row, col + 1)
        grid.setColumnStretch(8, 1)
        return grid

    def _build_run_row(self) -> None:
        """Which learned filter and input channel of the run to show (after a run)."""
        self.run_row = QWidget()
        row = QHBoxLayout(self.run_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.filter_spin, self.channel_spin = QSpinBox(), QSpinBox()
        row.addWidget(label("From the run: filter", wrap=False))
        row.addWidget(self.filter_spin)
        row.addWidget(label("input channel", wrap=False))
        row.addWidget(self.channel_spin)
        self.follow_box = QCheckBox("follow the run as it trains")
        self.follow_box.setChecked(True)
        row.addWidget(self.follow_box)
        row.addStretch(1)
        self.body.addWidget(self.run_row)
        self.run_row.hide()
        for spin in (self.filter_spin, self.channel_spin):
            spin.setKeyboardTracking(False)

    def _build_grids(self) -> None:
        self.input_grid = NumberGrid(editable=True)
        self.kernel_grid = NumberGrid(editable=True)
        self.output_grid = NumberGrid(editable=False)
        self.products_grid = NumberGrid(editable=False)
        self.kernel_title = label("KERNEL", "section", wrap=False)
        row = QHBoxLayout()
        row.setSpacing(SPACE * 2)
        parts = (("INPUT", self.input_grid, "⊛"), (None, self.kernel_grid, "→"),
                 ("OUTPUT", self.output_grid, ""))
        for title, grid, sign in parts:
            col = QVBoxLayout()
            col.addWidget(label(title, "section", wrap=False) if title else self.kernel_title)
            col.addWidget(grid, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            col.addStretch(1)
            row.addLayout(col)
            if sign:
                between = QLabel(sign)
                between.setProperty("role", "heading")
                row.addWidget(between, 0, Qt.AlignmentFlag.AlignVCenter)
            elif title == "OUTPUT":
                row.addSpacing(SPACE * 3)
        row.addStretch(1)
        self.body.addLayout(row)

    def _build_steps(self) -> None:
        self._build_step_bar()
        self.sum_label = formula_label()
        self.sum_label.setWordWrap(True)
        self.size_label = formula_label()
        here = QHBoxLayout()
        here.setSpacing(SPACE * 2)
        products = QVBoxLayout()
        products.addWidget(label("PRODUCTS AT THIS POSITION", "section", wrap=False))
        products.addWidget(self.products_grid)
        products.addStretch(1)
        here.addLayout(products)
        sums = QVBoxLayout()
        sums.addWidget(label("THEIR SUM", "section", wrap=False))
        sums.addWidget(self.sum_label)
        sums.addStretch(1)
        here.addLayout(sums, 1)
        self.body.addLayout(here)
        self.body.addWidget(label("OUTPUT SIZE", "section"))
        self.body.addWidget(self.size_label)

    def _build_step_bar(self) -> None:
        """First, back, play, next, last and a slider over the output positions."""
        self.first_button, self.back_button = QPushButton("First"), QPushButton("◀ Back")
        self.play_button = QPushButton("Play")
        self.next_button, self.last_button = QPushButton("Next ▶"), QPushButton("Last")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.where = QLabel("")
        bar = QHBoxLayout()
        tips = ("First position", "Previous position", "Slide the window by itself",
                "Next position", "Last position")
        buttons = (self.first_button, self.back_button, self.play_button, self.next_button,
                   self.last_button)
        for button, tip in zip(buttons, tips, strict=True):
            button.setToolTip(tip)
            bar.addWidget(button)
        bar.addWidget(self.slider, 1)
        bar.addWidget(self.where)
        self.body.addLayout(bar)
