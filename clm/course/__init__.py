"""The course model and its discovery under slides/."""
