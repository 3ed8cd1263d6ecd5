"""Small helpers for the temperature data of the files slides."""


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def warmest(rows: list[dict[str, str]]) -> str:
    """The day with the highest temperature."""
    return max(rows, key=lambda row: float(row["celsius"]))["day"]
