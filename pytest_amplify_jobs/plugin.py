"""The pytest11 entry point: options, marker, fixtures and report hooks."""

from __future__ import annotations
