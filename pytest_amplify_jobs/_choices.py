"""The small interface the generator draws its choices through.

One generator, two sources of choices: the same code builds a job whether its choices come from
Hypothesis (:class:`HypothesisChoices`, shrinkable) or from a seeded :class:`random.Random`
(:class:`RandomChoices`, fast, for fixtures and scripts). Each method documents what it shrinks
toward under Hypothesis; the generator puts the most ordinary value there.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from hypothesis.strategies import DrawFn, SearchStrategy

T = TypeVar("T")

# Characters for unusual-but-valid text: ASCII, accents, CJK, emoji, whitespace and controls.
_WEIRD_ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_./:;,!?'\"\\\n\t\r"
    "éüßñçøÅ€£¥漢字かなカナ한국어😀🚀✨\u200b\u00a0\x00\x7f"
)


class Choices(Protocol):
    """Where the generator's choices come from."""

    def integer(self, lo: int, hi: int) -> int:
        """An integer in ``lo..hi`` (inclusive); shrinks toward ``lo``."""

    def sampled(self, values: Sequence[T]) -> T:
        """One of ``values``; shrinks toward ``values[0]``."""

    def chance(self, percent: int) -> bool:
        """True about ``percent`` % of the time; shrinks toward False."""

    def text(self, min_size: int, max_size: int, alphabet: str | None = None) -> str:
        """A string of ``min_size..max_size`` characters; shrinks toward the shortest, 'a'-most."""

    def many(self, element: Callable[[Choices], T], min_size: int, max_size: int | None) -> list[T]:
        """A list of independently drawn elements; shrinks by deleting elements."""

    def integers(self, lo: int, hi: int, min_size: int, max_size: int | None) -> list[int]:
        """A list of integers in ``lo..hi``: one choice per element, the cheapest list there
        is; shrinks by deleting elements and each toward ``lo``."""


class RandomChoices:
    """Choices from a seeded :class:`random.Random`: fast, and the same seed gives the same data."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)
        # random() is several times cheaper than randint(); 53 bits cover our ranges (< 2**33).
        self._next = self._random.random

    def integer(self, lo: int, hi: int) -> int:
        if hi - lo >= 2**40:
            return self._random.randint(lo, hi)
        return lo + int(self._next() * (hi - lo + 1))

    def sampled(self, values: Sequence[T]) -> T:
        return values[int(self._next() * len(values))]

    def chance(self, percent: int) -> bool:
        return self._next() * 100 < percent

    def text(self, min_size: int, max_size: int, alphabet: str | None = None) -> str:
        # Mostly short strings, sometimes up to the limit: like Hypothesis, edges matter.
        roll = self._random.randrange(10)
        if roll < 6:
            hi = min(max_size, min_size + 20)
        elif roll < 9:
            hi = min(max_size, min_size + 300)
        else:
            hi = max_size
        size = self._random.randint(min_size, hi)
        pool = alphabet or _WEIRD_ALPHABET
        return "".join(self._random.choices(pool, k=size))

    def many(self, element: Callable[[Choices], T], min_size: int, max_size: int | None) -> list[T]:
        return [element(self) for _ in range(self._size(min_size, max_size))]

    def integers(self, lo: int, hi: int, min_size: int, max_size: int | None) -> list[int]:
        integer = self.integer
        return [integer(lo, hi) for _ in range(self._size(min_size, max_size))]

    def _size(self, min_size: int, max_size: int | None) -> int:
        hi = max_size if max_size is not None else min_size + 10
        return self._random.randint(min_size, hi)


# st.integers(lo, hi) draws a range this narrow as exactly one draw_integer(lo, hi) of the
# ConjectureData (wider ranges it weights toward their bounds).
_PLAIN_RANGE = 127


class HypothesisChoices:
    """Choices drawn from Hypothesis inside a ``@st.composite`` function: shrinkable."""

    def __init__(self, draw: DrawFn) -> None:
        self._draw = draw
        # The one touch of Hypothesis's internals: a narrow integer is drawn straight from the
        # ConjectureData behind ``draw`` (draw is its bound ``draw``), the very choice
        # st.integers(lo, hi) records, at half the cost of a strategy draw (its span,
        # validation and bookkeeping): a world makes about 25 such choices (benchmark B11).
        # Where a Hypothesis version lacks it, choices go through st.integers.
        data = getattr(draw, "__self__", None)
        self._direct: Callable[..., int] | None = getattr(data, "draw_integer", None)

    def integer(self, lo: int, hi: int) -> int:
        if self._direct is not None and hi - lo <= _PLAIN_RANGE:
            return self._direct(min_value=lo, max_value=hi)
        return self._draw(_integers(lo, hi))

    def sampled(self, values: Sequence[T]) -> T:
        if len(values) == 1:
            return values[0]
        return values[self.integer(0, len(values) - 1)]

    def chance(self, percent: int) -> bool:
        # 0 shrinks to False; the upper band (100 - percent values) is True.
        return self.integer(0, 99) >= 100 - percent

    def text(self, min_size: int, max_size: int, alphabet: str | None = None) -> str:
        return self._draw(_text(min_size, max_size, alphabet))

    def many(self, element: Callable[[Choices], T], min_size: int, max_size: int | None) -> list[T]:
        return self._draw(_lists(element, min_size, max_size))

    def integers(self, lo: int, hi: int, min_size: int, max_size: int | None) -> list[int]:
        if min_size == max_size:
            # A list of one size has nothing to delete: its integers alone shrink the same,
            # without the list's span and a forced "one more" choice per element.
            integer = self.integer
            return [integer(lo, hi) for _ in range(min_size)]
        return self._draw(_integer_lists(lo, hi, min_size, max_size))


@functools.cache
def _integers(lo: int, hi: int) -> SearchStrategy[int]:
    from hypothesis import strategies as st

    return st.integers(lo, hi)


@functools.cache
def _text(min_size: int, max_size: int, alphabet: str | None) -> SearchStrategy[str]:
    from hypothesis import strategies as st

    chars = st.sampled_from(alphabet) if alphabet is not None else st.characters(codec="utf-8")
    return st.text(chars, min_size=min_size, max_size=max_size)


@functools.cache
def _integer_lists(
    lo: int, hi: int, min_size: int, max_size: int | None
) -> SearchStrategy[list[int]]:
    from hypothesis import strategies as st

    return st.lists(st.integers(lo, hi), min_size=min_size, max_size=max_size)


@functools.cache
def _lists(
    element: Callable[[Choices], Any], min_size: int, max_size: int | None
) -> SearchStrategy[list[Any]]:
    from hypothesis import strategies as st

    return st.lists(composite(element)(), min_size=min_size, max_size=max_size)


def composite(
    build: Callable[[Choices], T],
) -> Callable[[], SearchStrategy[T]]:
    """Turn ``build(choices)`` into a Hypothesis strategy factory drawing through Hypothesis.

    Cached by ``build`` where it is hashable by value (``JobDrawer``), so list elements reuse
    one strategy object.
    """
    from hypothesis import strategies as st

    @st.composite
    def strategy(draw: DrawFn) -> T:
        return build(HypothesisChoices(draw))

    return strategy
