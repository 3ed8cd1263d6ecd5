"""Rendering PlantUML and draw.io sources with their real converters."""
