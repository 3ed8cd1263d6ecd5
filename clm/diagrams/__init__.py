"""Diagram sources: pure parsers (names, sources) and the PlantUML and draw.io converters (no cache)."""
