"""`python -m course_lib.grading COMMAND ...`: the instructor's commands (see `cli`)."""
import sys

from course_lib.grading.cli import main

sys.exit(main())
