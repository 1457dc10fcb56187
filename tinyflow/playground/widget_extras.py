"""The widget's "Beyond the original" drawer: loss, seed, limits, your own data, configurations, code export.

Example:
    >>> from tinyflow.playground import Playground
    >>> from tinyflow.playground.widget import PlaygroundWidget
    >>> view = PlaygroundWidget(Playground(seed=0))
    >>> view.controls["loss"].value = "cross_entropy"
    >>> view.pg.loss
    'cross_entropy'
"""
from __future__ import annotations

import ipywidgets as w

from tinyflow.playground.state import LOSSES

LOSS_OPTIONS = [("Square", LOSSES[0]), ("Cross-entropy", LOSSES[1])]


class Extras:
    """The drawer's widgets; value controls are registered in the view's ``controls`` so ``refresh`` syncs them."""

    def __init__(self, view):
        self.view = view
        short = w.Layout(width="220px")
        c = view.controls
        c["loss"] = w.Dropdown(options=LOSS_OPTIONS, description="Loss", layout=short)
        c["seed"] = w.BoundedIntText(min=0, max=2**32 - 1, description="Seed", layout=short)
        c["max_layers"] = w.BoundedIntText(min=0, max=64, description="Max layers", layout=short)
        c["max_neurons"] = w.BoundedIntText(min=1, max=256, description="Max neurons", layout=short)
        c["init_zero"] = w.Checkbox(description="Zero initial weights", indent=False,
                                    layout=w.Layout(width="170px", margin="4px 0 0 16px"))
        for name in ("loss", "seed", "max_layers", "max_neurons", "init_zero"):
            c[name].observe(view._setter(name), "value")
        self.data_path = w.Text(placeholder="points.csv (x1, x2, label)", description="Your data",
                                layout=w.Layout(width="330px"))
        load_data = w.Button(description="Load data")
        load_data.on_click(lambda _: view._act(lambda: view.pg.load_data(self.data_path.value)))
        self.config_path = w.Text(value="playground.json", description="Config", layout=w.Layout(width="330px"))
        save, load = w.Button(description="Save config"), w.Button(description="Load config")
        save.on_click(lambda _: view._act(self._save))
        load.on_click(lambda _: view._act(lambda: view.pg.set_config(self.config_path.value)))
        self.code = w.Textarea(layout=w.Layout(width="960px", height="160px", display="none"))
        export = w.Button(description="Export code")
        export.on_click(lambda _: view._act(self._export))
        settings = w.HBox([c["loss"], c["seed"], c["max_layers"], c["max_neurons"], c["init_zero"]])
        files = w.HBox([self.data_path, load_data, self.config_path, save, load, export])
        self.root = w.Accordion([w.VBox([settings, files, self.code])], selected_index=None)
        self.root.set_title(0, "Beyond the original: loss, seed, limits, your data, configurations, code export")

    def _save(self) -> None:
        self.view.pg.save_config(self.config_path.value)
        self.view.pg.message = f"Saved the configuration to {self.config_path.value}."

    def _export(self) -> None:
        self.code.value = self.view.pg.export_code()
        self.code.layout.display = None

    def refresh(self) -> None:
        pass  # the value controls are synced by the view; nothing else here follows the state
