"""Greetings used by the functions slides."""


def greet(name: str) -> str:
    return f"Hello, {name}!"
