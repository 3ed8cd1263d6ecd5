"""Build this course with doit: clm reads the spec and generates one task per output."""
from clm.dodo import course_tasks
DOIT_CONFIG, task_course = course_tasks("course-specs/java-basics.yaml")
