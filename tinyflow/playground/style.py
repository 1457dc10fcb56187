"""The Playground widget's CSS: the original's look (``styles.css``) applied to ipywidgets' elements.

Colours, sizes and type come from the original: a white top bar over a #f7f7f7 page, a round
#183D4E play button, upper-case column headings, grey 13 px labels, 34 px data-set thumbnails
(faded unless selected), input thumbnails with a black 2 px frame (faded when off).

Example:
    >>> "tf-playground" in stylesheet({"circle": b"png"}, {"x1": b"png"})
    True
"""
from __future__ import annotations

import base64

_CSS = """
.tf-playground { background: #f7f7f7; font-family: Helvetica, Arial, sans-serif; width: 1024px;
  border: 1px solid #e3e3e3; }
.tf-playground .tf-top { background: white; border-bottom: 1px solid #ddd; padding: 14px 16px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.08); align-items: center; }
.tf-playground .tf-timeline { align-items: center; width: 170px; }
.tf-playground button.tf-round { width: 36px; height: 36px; border-radius: 50%; padding: 0; margin: 0 4px;
  background: rgba(158,158,158,0.1); color: rgba(0,0,0,0.7); font-size: 16px; }
.tf-playground button.tf-play { width: 56px; height: 56px; border-radius: 50%; padding: 0; margin: 0 4px;
  background: #183D4E; color: white; font-size: 24px; box-shadow: 0 2px 5px rgba(0,0,0,0.26); }
.tf-playground .tf-control { margin-left: 22px; width: 128px; }
.tf-playground .tf-control .widget-dropdown { width: 128px; }
.tf-playground .tf-control select { border: none; border-bottom: 1px solid #ccc; background: none;
  font-size: 14px; color: #333; }
.tf-playground .tf-top .tf-label, .tf-playground .tf-epoch .tf-label { color: #777; font-size: 13px;
  font-weight: 300; }
.tf-playground .tf-epoch { width: 110px; margin-left: 10px; }
.tf-playground .tf-epoch .tf-value { font-size: 24px; font-weight: 300; line-height: 1.2em; }
.tf-playground .tf-main { padding: 22px 16px 16px 16px; }
.tf-playground h4 { font-weight: 400; font-size: 16px; text-transform: uppercase; margin: 0 0 4px 0;
  line-height: 1.4em; color: black; }
.tf-playground p, .tf-playground .tf-label { font-weight: 300; color: #777; font-size: 13px;
  line-height: 1.38em; margin: 0; }
.tf-playground .tf-data { width: 150px; margin-right: 10px; }
.tf-playground .tf-datasets { margin: 12px 0 8px 0; }
.tf-playground button.tf-dataset { width: 38px; height: 38px; min-width: 38px; padding: 0;
  margin: 0 14px 14px 0; opacity: 0.2; border: 2px solid rgba(0,0,0,0.1); border-radius: 3px;
  background-size: 100% 100%; background-color: white; }
.tf-playground button.tf-dataset.tf-selected { opacity: 1; border: 2px solid black;
  box-shadow: 0 1px 5px rgba(0,0,0,0.2); }
.tf-playground .tf-data .widget-slider { width: 150px; }
.tf-playground button.tf-basic { width: 140px; height: 34px; margin-top: 10px; border-radius: 3px;
  background: rgba(158,158,158,0.1); color: rgba(0,0,0,0.5); font-size: 12px; text-transform: uppercase;
  font-weight: 500; }
.tf-playground .tf-feature-row { height: 30px; margin: 0 0 25px 0; align-items: center; }
.tf-playground .tf-feature-label { width: 62px; text-align: right; font-size: 13px; color: #333;
  font-weight: 300; margin-right: 8px; }
.tf-playground button.tf-feature { width: 30px; height: 30px; min-width: 30px; padding: 0; margin: 0;
  border: 2px solid black; border-radius: 3px; background-size: 100% 100%;
  box-shadow: 0 2px 5px rgba(0,0,0,0.2); }
.tf-playground button.tf-feature.tf-off { opacity: 0.4; border: 0; box-shadow: none; }
.tf-playground .tf-layer-control { width: 64px; text-align: center; font-size: 12px; align-items: center; }
.tf-playground button.tf-small { width: 26px; height: 26px; min-width: 26px; padding: 0; margin: 0 2px;
  border-radius: 50%; background: rgba(158,158,158,0.1); color: rgba(0,0,0,0.7); font-size: 12px; }
.tf-playground .tf-layers-header { align-items: center; justify-content: center; }
.tf-playground .tf-output { width: 300px; margin-left: 6px; }
.tf-playground .tf-losses { font-size: 13px; font-weight: 300; line-height: 1.5em; width: 135px;
  min-width: 135px; white-space: nowrap; }
.tf-playground .tf-nowrap { white-space: nowrap; }
.tf-playground .tf-losses .tf-train { color: #777; }
.tf-playground .tf-losses .tf-num { color: rgba(0,0,0,0.6); }
.tf-playground .tf-heatmap-box { width: 300px; height: 300px; overflow: visible; }
.tf-playground .tf-output { overflow: visible; }
.tf-playground .tf-message { color: #b0341e; font-size: 13px; min-height: 1.4em; padding: 0 16px 8px 16px; }
.tf-playground .widget-checkbox { width: 140px; }
.tf-playground .widget-checkbox label, .tf-playground .widget-slider label { color: #777; font-weight: 300; }
"""


def _background(selector: str, png: bytes) -> str:
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return f".tf-playground button.{selector} {{ background-image: url({uri}); }}\n"


def stylesheet(dataset_pictures: dict[str, bytes], feature_pictures: dict[str, bytes]) -> str:
    """The ``<style>`` block: the CSS above plus each data-set and input button's picture.

    Args:
        dataset_pictures: PNG bytes per data-set name (class ``tf-ds-<name>``).
        feature_pictures: PNG bytes per feature id (class ``tf-in-<index>``, in ``FEATURES`` order).
    """
    rules = [_CSS]
    rules += [_background(f"tf-ds-{name}", png) for name, png in dataset_pictures.items()]
    rules += [_background(f"tf-in-{k}", png) for k, png in enumerate(feature_pictures.values())]
    return "<style>" + "".join(rules) + "</style>"
