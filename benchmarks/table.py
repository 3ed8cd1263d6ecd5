"""The benchmark table: one row per figure, each against its target, PASS or MISS."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    measure: str
    course: str  # "1000" decks, or a named course: "60, 1/3 failing"
    value: float
    unit: str  # "s", "MB", "tasks", ""
    target: float | None = None  # at most; None: a figure to read, not to judge
    note: str = ""  # where the target comes from, or how the value was taken

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "PASS" if self.value <= self.target else "MISS"

    @property
    def ratio(self) -> float | None:
        if self.target is None or self.target == 0:
            return None
        return self.value / self.target


HEADER = ("measure", "decks", "value", "target", "ratio", "", "note")


def _number(value: float, unit: str) -> str:
    if unit == "tasks":
        return f"{value:.0f} tasks"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "s":
        return f"{value:.3f} s"
    return f"{value:.2f}"


def cells(row: Row) -> tuple[str, ...]:
    target = "" if row.target is None else _number(row.target, row.unit)
    ratio = "" if row.ratio is None else f"{row.ratio:.2f}"
    return (
        row.measure,
        row.course,
        _number(row.value, row.unit),
        target,
        ratio,
        row.verdict,
        row.note,
    )


def render(rows: Iterable[Row]) -> str:
    """The rows as a Markdown table, columns padded to line up in a terminal."""
    lines = [HEADER, *(cells(row) for row in rows)]
    widths = [max(len(line[column]) for line in lines) for column in range(len(HEADER))]
    right = {2, 3, 4}  # numbers line up on the right

    def line(values: tuple[str, ...]) -> str:
        padded = (
            value.rjust(width) if column in right else value.ljust(width)
            for column, (value, width) in enumerate(zip(values, widths, strict=True))
        )
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(lines[0]), rule, *(line(values) for values in lines[1:])])


def misses(rows: Iterable[Row]) -> list[Row]:
    return [row for row in rows if row.verdict == "MISS"]
