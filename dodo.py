"""Build the example course from the repository root (same as `doit` in its folder)."""
from clm.dodo import course_tasks
DOIT_CONFIG, task_course = course_tasks("examples/python-basics/course-specs/python-basics.yaml")
