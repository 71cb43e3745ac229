"""A griffe extension for the API reference: the package's docstrings are reStructuredText
(read by ``pydoc`` and ``--doctest-modules``), the site renders Markdown.

Three conversions, nothing else: ``:role:`target``` becomes inline code (``~`` keeps the last
name), double-backquoted literals become single-backquoted ones, and each doctest example (a run
of lines from ``>>>`` to the next blank line) becomes a fenced ``pycon`` block, so that
``page["jobSummaries"][0]`` is shown as code rather than read as a Markdown link.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|func|meth|attr|data|mod|exc|obj):`~?([^`]+)`")
_LITERAL = re.compile(r"``(.+?)``")


def _role(match: re.Match[str]) -> str:
    whole = match.group(0)
    target = match.group(1)
    if "`~" in whole:
        target = target.rsplit(".", 1)[-1]
    return f"`{target}`"


def rst_to_markdown(text: str) -> str:
    out: list[str] = []
    in_example = False
    for line in text.splitlines():
        if not in_example and line.lstrip().startswith(">>>"):
            out.append("```pycon")
            in_example = True
        elif in_example and not line.strip():
            out.append("```")
            in_example = False
        if not in_example:
            line = _LITERAL.sub(r"`\1`", _ROLE.sub(_role, line))
        out.append(line)
    if in_example:
        out.append("```")
    return "\n".join(out)


class RstDocstrings(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = rst_to_markdown(obj.docstring.value)
