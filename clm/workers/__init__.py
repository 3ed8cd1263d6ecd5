"""Worker processes: how they start, tied to their build, warmed up, pooled for the watcher."""

from __future__ import annotations


def begin_run() -> str:
    """What an entry point (``clm build``, clm.dodo, the watcher, the preview) does first.

    Workers start by CLM_START_METHOD (BadStartMethod, a CourseError, when it
    names none); doit's workers tie themselves to the build; everything started
    from now on carries this process's run tag. What builds killed before they
    could clean up left behind is ended when the build's session starts
    (clm.session.session), under the build lock. Returns the run tag.
    """
    from clm.workers import run_tag
    from clm.workers.lifetime import guard_doit_workers
    from clm.workers.start_method import use_start_method

    # Tagged first: the helpers use_start_method starts (the forkserver, whose
    # environment every worker it forks inherits) must carry the tag.
    tag = run_tag.tag_this_run()
    use_start_method()
    guard_doit_workers()
    return tag
