"""The JSON that clm's reports print with ``--json``: a stable contract, as JSON Schema.

Fields are only ever added; a field's meaning and type do not change. Times are
seconds since the epoch (floats), durations seconds, sizes bytes. ``clm
schema NAME`` prints one of these.
"""

from __future__ import annotations

_NUMBER_OR_NULL = {"type": ["number", "null"]}
_STRING_OR_NULL = {"type": ["string", "null"]}
_COUNT = {"type": "integer", "minimum": 0}

RUN = {
    "type": "object",
    "required": [
        "id", "pid", "command", "spec", "started", "ended", "duration", "result",
        "executed", "failed", "uptodate", "not_rebuilt", "counters",
    ],
    "properties": {
        "id": {"type": "integer"},
        "pid": {"type": "integer"},
        "command": {"type": "array", "items": {"type": "string"}},
        "spec": _STRING_OR_NULL,
        "started": {"type": "number"},
        "ended": _NUMBER_OR_NULL,
        "duration": _NUMBER_OR_NULL,
        "result": {"enum": ["ok", "failed", "running", "interrupted"]},
        "executed": _COUNT,
        "failed": _COUNT,
        "uptodate": _COUNT,
        "not_rebuilt": _COUNT,
        "counters": {"type": "object", "additionalProperties": {"type": "integer"}},
    },
}  # fmt: skip

JOB = {
    "type": "object",
    "required": [
        "id",
        "run",
        "task",
        "status",
        "started",
        "ended",
        "duration",
        "from_cache",
        "error",
        "kept_on",
    ],
    "properties": {
        "id": {"type": "integer"},
        "run": {"type": "integer"},
        "task": {"type": "string"},
        "status": {"enum": ["running", "ok", "failed", "not-rebuilt", "interrupted"]},
        "started": _NUMBER_OR_NULL,
        "ended": _NUMBER_OR_NULL,
        "duration": _NUMBER_OR_NULL,
        "from_cache": {"type": ["boolean", "null"]},
        "error": _STRING_OR_NULL,
        # When the run was whose cell error the cache keeps and this job reported again.
        "kept_on": _STRING_OR_NULL,
    },
}

WORKER = {
    "type": "object",
    "required": ["pid", "run", "task", "started", "heartbeat"],
    "properties": {
        "pid": {"type": "integer"},
        "run": {"type": ["integer", "string", "null"]},
        "task": _STRING_OR_NULL,
        "started": {"type": "number"},
        "heartbeat": {"type": "number"},
    },
}

CLUSTER = {
    "anyOf": [
        {"type": "null"},
        {
            "type": "object",
            "required": [
                "address", "submitted", "done", "in_flight", "workers", "pid", "updated", "active",
            ],
            "properties": {
                "address": {"type": "string"},
                "submitted": _COUNT,
                "done": _COUNT,
                "in_flight": _COUNT,
                "workers": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["address", "threads", "running"],
                        "properties": {
                            "address": {"type": "string"},
                            "threads": _COUNT,
                            "running": _COUNT,
                        },
                    },
                },
                "pid": {"type": "integer"},
                "updated": {"type": "number"},
                "active": {"type": "boolean"},
            },
        },
    ]
}  # fmt: skip

CACHE = {
    "type": "object",
    "required": [
        "file", "entries", "executions", "renders", "failures", "bytes", "served_recently",
        "ran_recently", "hit_rate",
    ],
    "properties": {
        "file": {"type": "string"},
        "entries": _COUNT,
        "executions": _COUNT,
        "renders": _COUNT,
        "failures": _COUNT,
        "bytes": _COUNT,
        "served_recently": _COUNT,
        "ran_recently": _COUNT,
        "hit_rate": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
    },
}  # fmt: skip

SCHEMAS: dict[str, dict] = {
    "status": {
        "type": "object",
        "required": [
            "running",
            "last_run",
            "failures",
            "out_of_date",
            "sources_changed",
            "cache",
            "workers",
            "cluster",
        ],
        "properties": {
            "running": {"type": "boolean"},
            "last_run": {"anyOf": [RUN, {"type": "null"}]},
            "failures": {"type": "array", "items": JOB},
            "out_of_date": _COUNT,
            "sources_changed": _COUNT,
            "cache": CACHE,
            "workers": {"type": "array", "items": WORKER},
            "cluster": CLUSTER,
        },
    },
    "jobs list": {
        "type": "object",
        "required": ["run", "jobs"],
        "properties": {
            "run": {"type": ["integer", "null"]},
            "jobs": {"type": "array", "items": JOB},
        },
    },
    "jobs show": JOB,
    "jobs retry": {
        "type": "object",
        "required": ["tasks", "exit_code"],
        "properties": {
            "tasks": {"type": "array", "items": {"type": "string"}},
            "exit_code": {"type": "integer"},
        },
    },
    "workers list": {
        "type": "object",
        "required": ["workers", "cluster"],
        "properties": {"workers": {"type": "array", "items": WORKER}, "cluster": CLUSTER},
    },
    "cache stats": CACHE,
    "cache clear": {
        "type": "object",
        "required": ["removed"],
        "properties": {"removed": _COUNT},
    },
    "cache prune": {
        "type": "object",
        "required": ["removed", "bytes"],
        "properties": {"removed": _COUNT, "bytes": _COUNT},
    },
    "cache explain": {
        "type": "object",
        "required": ["output", "task", "status", "reasons", "made_from", "upstream", "cache"],
        "properties": {
            "output": {"type": "string"},
            "task": {"type": "string"},
            "status": {"enum": ["up-to-date", "run", "error"]},
            "reasons": {"type": "array", "items": {"type": "string"}},
            "made_from": {"type": "array", "items": {"type": "string"}},
            "upstream": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["task", "status", "reasons"],
                    "properties": {
                        "task": {"type": "string"},
                        "status": {"enum": ["up-to-date", "run", "error"]},
                        "reasons": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
            "cache": {
                "anyOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": ["kind", "key", "hit"],
                        "properties": {
                            "kind": {"enum": ["execution", "render"]},
                            "key": {"type": "string"},
                            "hit": {"type": "boolean"},
                            # An execution's cell error the cache keeps (no outputs).
                            "kept_failure": {
                                "anyOf": [
                                    {"type": "null"},
                                    {
                                        "type": "object",
                                        "required": ["ran_on", "error"],
                                        "properties": {
                                            "ran_on": {"type": "string"},
                                            "error": {"type": "string"},
                                        },
                                    },
                                ]
                            },
                        },
                    },
                ]
            },
        },
    },
}
