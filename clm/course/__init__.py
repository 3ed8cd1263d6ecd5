"""The course model, its discovery under slides/, and a course model from plain data."""
