"""The Playground's ipywidgets view: the original's page (top controls; data, features and network, output).

Every control writes one attribute of the :class:`~tinyflow.playground.Playground` (so the code
and the page always agree), and :meth:`PlaygroundWidget.refresh` copies the Playground's state and
its latest frame (see ``frame.py``) back into the widgets. A setting that is refused shows its
message under the top bar and the control snaps back.

Example:
    >>> from tinyflow.playground import Playground
    >>> pg = Playground(seed=0)
    >>> view = PlaygroundWidget(pg)
    >>> view.controls["noise"].value = 10   # as if the slider moved
    >>> pg.noise
    10
"""
from __future__ import annotations

import re

import ipywidgets as w

from tinyflow.datasets.features import FEATURES
from tinyflow.datasets.playground import DATASETS
from tinyflow.playground import diagram
from tinyflow.playground.frame import input_thumbnails
from tinyflow.playground.playground import NETWORK_WIDTH
from tinyflow.playground.render import dataset_thumbnail_png
from tinyflow.playground.state import (
    CUSTOM,
    DATASET_TITLES,
    FEATURE_LABELS,
    LEARNING_RATES,
    REGULARIZATION_RATES,
    problem_of,
)
from tinyflow.playground.style import stylesheet
from tinyflow.playground.widget_extras import Extras

ACTIVATION_OPTIONS = [("ReLU", "relu"), ("Tanh", "tanh"), ("Sigmoid", "sigmoid"), ("Linear", "linear")]
REGULARIZATION_OPTIONS = [("None", "none"), ("L1", "L1"), ("L2", "L2")]
PROBLEM_OPTIONS = [("Classification", "classification"), ("Regression", "regression")]
INPUT_COLUMN = 100  # px: feature label (62) + gap (8) + input square (30)


def _number(v: float) -> str:
    """0.00001 → "0.00001", 3.0 → "3": the menu labels of index.html."""
    return f"{v:.6f}".rstrip("0").rstrip(".")


def _html(text: str, css: str = "") -> w.HTML:
    box = w.HTML(text)
    if css:
        box.add_class(css)
    return box


def _button(css: str, description: str = "", icon: str = "", tooltip: str = "") -> w.Button:
    b = w.Button(description=description, icon=icon, tooltip=tooltip)
    for c in css.split():
        b.add_class(c)
    return b


def _set_class(widget: w.DOMWidget, css: str, on: bool) -> None:
    if on and css not in widget._dom_classes:
        widget.add_class(css)
    elif not on and css in widget._dom_classes:
        widget.remove_class(css)


def _thumbnails() -> dict[str, bytes]:
    return {name: dataset_thumbnail_png(*gen(200, 0, 0)) for name, gen in DATASETS.items()}


class PlaygroundWidget:
    """The widget tree of one Playground (``root``) and the glue between its controls and the Playground."""

    def __init__(self, pg):
        self.pg = pg
        self._syncing = False
        self._overlay_key = None
        self._layer_key = None
        self.controls: dict[str, w.ValueWidget] = {}
        style = _html(stylesheet(_thumbnails(), input_thumbnails()))
        self.message = _html("", "tf-message")
        self.root = w.VBox([style, self._top_bar(), self.message, self._main(), self._more()])
        self.root.add_class("tf-playground")
        pg._view = self
        self.refresh()

    # -- building --------------------------------------------------------------------------------------
    def _dropdown(self, name: str, label: str, options) -> w.VBox:
        self.controls[name] = dd = w.Dropdown(options=options, layout=w.Layout(width="128px"))
        dd.observe(self._setter(name), "value")
        box = w.VBox([_html(f'<span class="tf-label">{label}</span>'), dd])
        box.add_class("tf-control")
        return box

    def _top_bar(self) -> w.HBox:
        self.reset_button = _button("tf-round tf-reset", icon="rotate-left", tooltip="Reset the network")
        self.play_button = _button("tf-play", icon="play", tooltip="Run/Pause")
        self.step_button = _button("tf-round tf-step", icon="step-forward", tooltip="Step")
        self.reset_button.on_click(lambda _: self._act(self.pg.reset))
        self.play_button.on_click(lambda _: self._act(self.pg.pause if self.pg.playing else self.pg.play))
        self.step_button.on_click(lambda _: self._act(lambda: (self.pg.pause(), self.pg.step(1))))
        self.epoch = _html("", "tf-epoch")
        timeline = w.HBox([self.reset_button, self.play_button, self.step_button])
        timeline.add_class("tf-timeline")
        rates = [(_number(v), float(v)) for v in LEARNING_RATES]
        reg_rates = [(_number(v), float(v)) for v in REGULARIZATION_RATES]
        bar = w.HBox([timeline, self.epoch, self._dropdown("learning_rate", "Learning rate", rates),
                      self._dropdown("activation", "Activation", ACTIVATION_OPTIONS),
                      self._dropdown("regularization", "Regularization", REGULARIZATION_OPTIONS),
                      self._dropdown("regularization_rate", "Regularization rate", reg_rates),
                      self._dropdown("problem", "Problem type", PROBLEM_OPTIONS)])
        bar.add_class("tf-top")
        return bar

    def _slider(self, name: str, low: int, high: int, step: int) -> w.VBox:
        self.controls[name] = s = w.IntSlider(min=low, max=high, step=step, readout=False,
                                              layout=w.Layout(width="150px"))
        s.observe(self._setter(name), "value")
        self._slider_labels[name] = label = _html("")
        return w.VBox([label, s])

    def _data_column(self) -> w.VBox:
        self.dataset_buttons = {}
        for name in [*DATASETS, CUSTOM]:
            b = _button(f"tf-dataset tf-ds-{name}", tooltip=DATASET_TITLES[name])
            b.on_click(lambda _, name=name: self._act(lambda: setattr(self.pg, "dataset", name)))
            self.dataset_buttons[name] = b
        self.dataset_grid = w.GridBox(list(self.dataset_buttons.values()),
                                      layout=w.Layout(grid_template_columns="52px 52px"))
        self.dataset_grid.add_class("tf-datasets")
        self._slider_labels: dict[str, w.HTML] = {}
        regenerate = _button("tf-basic", "Regenerate", tooltip="Regenerate data")
        regenerate.on_click(lambda _: self._act(self.pg.regenerate))
        column = w.VBox([_html("<h4>Data</h4><p>Which dataset do you want to use?</p>"), self.dataset_grid,
                         self._slider("train_ratio", 10, 90, 10), self._slider("noise", 0, 50, 5),
                         self._slider("batch_size", 1, 30, 1), regenerate])
        column.add_class("tf-data")
        return column

    def _network_column(self) -> w.VBox:
        self.feature_buttons = []
        rows = []
        for k, f in enumerate(FEATURES):
            b = _button(f"tf-feature tf-in-{k}", tooltip=f"Click to turn {FEATURE_LABELS[f]} on or off")
            b.on_click(lambda _, f=f: self._act(lambda: self._toggle_feature(f)))
            self.feature_buttons.append(b)
            row = w.HBox([_html(FEATURE_LABELS[f], "tf-feature-label"), b])
            row.add_class("tf-feature-row")
            rows.append(row)
        self.add_layer_button = add = _button("tf-small", icon="plus", tooltip="Add a hidden layer")
        self.remove_layer_button = remove = _button("tf-small", icon="minus", tooltip="Remove the last hidden layer")
        add.on_click(lambda _: self._act(self._add_layer))
        remove.on_click(lambda _: self._act(self._remove_layer))
        self.layers_label = _html("")
        features_header = _html("<h4>Features</h4><p>Which properties do you want to feed in?</p>")
        features_header.layout = w.Layout(width="200px", min_width="200px")
        layers_header = w.HBox([add, remove, self.layers_label], layout=w.Layout(width=f"{NETWORK_WIDTH - 80}px"))
        layers_header.add_class("tf-layers-header")
        header = w.HBox([features_header, layers_header])
        self.layer_controls = w.HBox(layout=w.Layout(height="58px", margin="6px 0 0 0", overflow="visible"))
        self.network = _html("")
        features = w.VBox(rows, layout=w.Layout(width=f"{INPUT_COLUMN}px", min_width=f"{INPUT_COLUMN}px"))
        return w.VBox([header, self.layer_controls, w.HBox([features, self.network])])

    def _output_column(self) -> w.VBox:
        self.losses, self.loss_chart = _html("", "tf-losses"), _html("")
        self.heatmap = w.Image(format="png", layout=w.Layout(width="260px", height="260px", margin="20px",
                                                             grid_area="map"))
        self.heatmap.add_class("tf-heatmap")
        self.points = w.HTML(layout=w.Layout(grid_area="map", width="300px", height="300px", overflow="visible"))
        box = w.GridBox([self.heatmap, self.points],  # shifted 20 px left, as heatmap.ts does (left: -20px)
                        layout=w.Layout(grid_template_areas='"map"', margin="0 0 0 -20px"))
        box.add_class("tf-heatmap-box")
        legend = _html('<div style="display:flex;align-items:center"><div class="tf-label" style="width:105px;'
                       'margin-right:10px">Colors shows data, neuron and weight values.</div>'
                       f"{diagram.colour_legend_svg()}</div>")
        checks = []
        for name, label in (("show_test_data", "Show test data"), ("discretize", "Discretize output")):
            self.controls[name] = c = w.Checkbox(description=label, indent=False)
            c.observe(self._setter(name), "value")
            checks.append(c)
        column = w.VBox([_html("<h4>Output</h4>"), w.HBox([self.losses, self.loss_chart]), box, legend,
                         w.HBox(checks)])
        column.add_class("tf-output")
        return column

    def _main(self) -> w.HBox:
        main = w.HBox([self._data_column(), self._network_column(), self._output_column()])
        main.add_class("tf-main")
        return main

    def _more(self) -> w.Accordion:
        self.extras = Extras(self)
        return self.extras.root

    # -- control → Playground ------------------------------------------------------------------------------
    def _act(self, action) -> None:
        """Run a user action; a refused setting shows its message instead of a traceback."""
        try:
            action()
        except ValueError as e:
            self.pg.message = str(e)
        self.refresh()

    def _setter(self, name: str):
        def on_change(change) -> None:
            if not self._syncing:
                self._act(lambda: setattr(self.pg, name, change["new"]))
        return on_change

    def _toggle_feature(self, feature: str) -> None:
        chosen = self.pg.features
        self.pg.features = [f for f in chosen if f != feature] if feature in chosen else [*chosen, feature]

    # The original's +/- buttons stop silently at the limits; a new layer starts with 2 neurons.
    def _add_layer(self) -> None:
        if len(self.pg.hidden) < self.pg.max_layers:
            self.pg.hidden = [*self.pg.hidden, 2]

    def _remove_layer(self) -> None:
        if self.pg.hidden:
            self.pg.hidden = self.pg.hidden[:-1]

    def _neurons(self, layer: int, delta: int) -> None:
        hidden = self.pg.hidden
        if 1 <= hidden[layer] + delta <= self.pg.max_neurons:
            self.pg.hidden = [*hidden[:layer], hidden[layer] + delta, *hidden[layer + 1:]]

    # -- Playground → widgets --------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Copy the Playground's settings into the controls and draw its current frame."""
        pg, s = self.pg, self.pg.state
        self._syncing = True
        try:
            for name, control in self.controls.items():
                value = getattr(s, name)
                if isinstance(control, w.Dropdown) and value not in [v for _, v in control.options]:
                    control.options = sorted([*control.options, (_number(value), value)], key=lambda o: o[1])
                if control.value != value:
                    control.value = value
            for name, label in (("train_ratio", "Ratio of training to test data: {}%"), ("noise", "Noise: {}"),
                                ("batch_size", "Batch size: {}")):
                self._slider_labels[name].value = f'<span class="tf-label">{label.format(getattr(s, name))}</span>'
            for name, b in self.dataset_buttons.items():
                visible = pg._custom is not None if name == CUSTOM else problem_of(name) == s.problem
                b.layout.display = None if visible else "none"
                _set_class(b, "tf-selected", name == s.dataset)
            for f, b in zip(FEATURES, self.feature_buttons):
                _set_class(b, "tf-off", f not in s.features)
            self._draw_layer_controls()
            self.play_button.icon = "pause" if pg.playing else "play"
            self.message.value = pg.message
            self.extras.refresh()
        finally:
            self._syncing = False
        self._draw()

    def _draw_layer_controls(self) -> None:
        hidden = self.pg.state.hidden
        n = len(hidden)
        label = f"{n} hidden layer{'s' if n != 1 else ''}"
        self.layers_label.value = f'<h4 class="tf-nowrap" style="margin:0 0 0 8px">{label}</h4>'
        if self._layer_key == tuple(hidden):
            return
        self._layer_key = tuple(hidden)
        boxes, right = [], 0.0
        for k, x in enumerate(diagram.layer_positions(n, NETWORK_WIDTH)):
            plus, minus = _button("tf-small", icon="plus"), _button("tf-small", icon="minus")
            plus.on_click(lambda _, k=k: self._act(lambda: self._neurons(k, +1)))
            minus.on_click(lambda _, k=k: self._act(lambda: self._neurons(k, -1)))
            units = hidden[k]
            left = INPUT_COLUMN + x + diagram.RECT_SIZE / 2 - 32  # centred over the layer's neurons
            box = w.VBox([w.HBox([plus, minus]), _html(f"{units} neuron{'s' if units > 1 else ''}")],
                         layout=w.Layout(width="64px", min_width="64px", margin=f"0 0 0 {left - right:.0f}px"))
            box.add_class("tf-layer-control")
            boxes.append(box)
            right = left + 64
        self.layer_controls.children = boxes

    def _draw(self) -> None:
        pg = self.pg
        frame = pg.frame()
        self.heatmap.value = frame.heatmap_png
        self.network.value = frame.network_svg
        self.loss_chart.value = frame.loss_chart_svg
        self.losses.value = (f'<div>Test loss <span class="tf-num">{frame.test_loss:.3f}</span></div>'
                             f'<div class="tf-train">Training loss <span class="tf-num">{frame.train_loss:.3f}'
                             "</span></div>")
        epoch = re.sub(r"\B(?=(\d{3})+(?!\d))", ",", f"{frame.epoch:06d}")  # zeroPad, then addCommas
        self.epoch.value = f'<div class="tf-label">Epoch</div><div class="tf-value">{epoch}</div>'
        key = (id(pg.split), pg.state.show_test_data)
        if key != self._overlay_key:
            self._overlay_key = key
            sp = pg.split
            test_x, test_y = (sp.x_test, sp.y_test) if pg.state.show_test_data else (sp.x_test[:0], sp.y_test[:0])
            self.points.value = diagram.heatmap_overlay_svg(sp.x_train, sp.y_train, test_x, test_y)
