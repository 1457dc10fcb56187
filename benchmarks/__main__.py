"""``python -m benchmarks [name ...]``: run the benchmarks and print ratio tables."""
from __future__ import annotations

import importlib
import sys

ALL = ["overhead", "training", "playground"]


def main(argv: list[str]) -> int:
    names = argv or ALL
    for name in names:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError as e:
            print(f"== {name}: not available ({e})\n")
            continue
        print(f"== {name}: {module.__doc__.strip().splitlines()[0]}")
        print(module.report(module.run()))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
