"""``doit auto``: doit 0.37 ships none, so clm registers its own (entry point doit.COMMAND)."""

from __future__ import annotations

import os

from doit.cmd_base import DoitCmdBase
from doit.exceptions import InvalidCommand


class Auto(DoitCmdBase):
    name = "auto"
    doc_purpose = "build the course, then rebuild what each saved change affects"
    doc_usage = ""
    doc_description = (
        "Watches slides/, templates/, the dir-group folders and the spec, and after each\n"
        "save rebuilds exactly the outputs it reaches. Ctrl-C ends it."
    )
    cmd_options = ()

    def execute(self, params, args):
        from clm.watch.engine import watch_course

        self.loader.setup(params)
        config = self.loader.load_doit_config()
        namespace = getattr(self.loader, "namespace", None) or {}
        specs = [
            creator.clm_spec
            for creator in namespace.values()
            if callable(creator) and hasattr(creator, "clm_spec")
        ]
        if len(specs) != 1:
            raise InvalidCommand(
                "doit auto needs a dodo.py made by clm: "
                "`from clm.dodo import course_tasks` and "
                '`DOIT_CONFIG, task_course = course_tasks("course.yaml")`'
            )
        jobs = params.get("num_process") or config.get("num_process") or os.cpu_count()
        return watch_course(specs[0], jobs)
