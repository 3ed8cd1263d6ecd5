"""The audience kinds of CLM 1.35, each a set of outputs of its own.

Two for students (code-along, completed), two for trainers (trainer keeps the
speaker notes, recording the voiceover narration too), and partial, which is
completed outside workshop ranges and code-along inside them. What each
kind does is said in clm.plan.variants (its rules) and clm.plan.tags (the
tags it drops); the kind itself is only a name, so both may import it.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    CODE_ALONG = "code-along"
    COMPLETED = "completed"
    TRAINER = "trainer"
    RECORDING = "recording"
    PARTIAL = "partial"
