"""Top-level conftest: plugin tests drive real pytest runs through ``pytester``."""

from __future__ import annotations

pytest_plugins = ["pytester"]
