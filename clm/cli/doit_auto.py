"""``doit auto``: doit 0.37 ships none, so clm registers its own (entry point doit.COMMAND)."""

from __future__ import annotations

import os

from doit.cmd_base import DoitCmdBase
from doit.exceptions import InvalidCommand


class Auto(DoitCmdBase):
    name = "auto"
    doc_purpose = "build the course, then rebuild what each saved change affects"
    doc_usage = "[--serve [--port N] [--open]]"
    doc_description = (
        "Watches slides/, templates/, the dir-group folders and the spec, and after each\n"
        "save rebuilds exactly the outputs it reaches. With --serve, also shows the course\n"
        "in a browser (as `clm serve`) and reloads the page you edit. Ctrl-C ends it."
    )
    cmd_options = (
        {
            "name": "serve",
            "long": "serve",
            "type": bool,
            "default": False,
            "help": "serve the outputs on 127.0.0.1 and reload the browsers' pages after each save",
        },
        {
            "name": "port",
            "long": "port",
            "type": int,
            "default": 8000,
            "help": "port of --serve (default: 8000)",
        },
        {
            "name": "open",
            "long": "open",
            "type": bool,
            "default": False,
            "help": "with --serve: open the course page in a browser once built",
        },
    )

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
        if params.get("serve"):
            from clm.serve.command import serve_course

            return serve_course(specs[0], jobs, port=params["port"], open_browser=params["open"])
        return watch_course(specs[0], jobs)
