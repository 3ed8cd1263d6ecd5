"""Check every deck before anything is built: a bad deck builds nothing.

Malformed cell headers and Jinja errors (an undefined name, a missing
template) are found here, with the author's file and line. A deck is checked
again only when its content, the templates or clm changed: the verdicts are
kept in the state, keyed by content hash.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from clm.layout import Format


def check_decks(
    decks: list[str],
    hashes: dict[str, str],
    languages: tuple[str, ...],
    templates: str | None,
    context_key: str,
    connection: sqlite3.Connection,
) -> list[str]:
    """Check the decks; returns warnings of newly checked decks, raises the first error."""
    keys = {
        deck: hashlib.md5(
            f"{deck}|{hashes[deck]}|{context_key}|{','.join(languages)}".encode()
        ).hexdigest()
        for deck in decks
    }
    known = set()
    wanted = list(keys.values())
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = connection.execute(
            f"select key from checked_decks where key in ({','.join('?' * len(chunk))})", chunk
        )
        known.update(key for (key,) in rows)
    unchecked = [deck for deck in decks if keys[deck] not in known]
    if not unchecked:
        return []

    from clm.deck.jinja import compile_deck, environment, render_deck
    from clm.deck.source import check_source, mark_cell_lines

    env = environment(templates)
    warnings: list[str] = []
    checked = []
    for deck in unchecked:
        path = Path(deck)
        text = path.read_text(encoding="utf-8")
        deck_warnings = check_source(text, path)
        template = compile_deck(env, mark_cell_lines(text), path)
        for lang in languages:
            for fmt in Format:
                render_deck(template, path, lang, fmt.value)
        warnings.extend(deck_warnings)
        checked.append((keys[deck], "\n".join(deck_warnings)))
    connection.execute("begin immediate")
    connection.executemany("insert or replace into checked_decks values (?, ?)", checked)
    connection.execute("commit")
    return warnings
