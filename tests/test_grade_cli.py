"""The grader's command line takes folders of submissions as well as notebooks."""
import subprocess
import sys

from tinyflow.grading.cli import _expand


def test_a_folder_stands_for_the_notebooks_inside_it(tmp_path):
    for name in ["b_03_autodiff.ipynb", "a_03_autodiff.ipynb", ".hidden.ipynb", "notes.txt"]:
        (tmp_path / name).write_text("{}")
    single = tmp_path / "x.ipynb"
    assert _expand([str(tmp_path), str(single)]) == [tmp_path / "a_03_autodiff.ipynb",
                                                     tmp_path / "b_03_autodiff.ipynb", single]


def test_an_empty_folder_is_a_usage_error(tmp_path):
    out = subprocess.run([sys.executable, "-m", "tinyflow.grade", str(tmp_path), "--chapter", "3"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "no such notebook" in out.stderr
