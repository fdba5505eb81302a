"""The language of what the grading system writes: English, or Korean for a Korean assignment.

The texts are English, marked for translation (`_`, `N_`), and their Korean lives in the gettext
catalog `course_lib/grading/locale/ko/LC_MESSAGES/course_grading.po` (compiled to the `.mo`
beside it; `instructor messages` extracts, updates, compiles and checks, see
course_lib.grading.catalogs). Who decides the language:

- the assignment, for what one student reads: a Korean edition is an assignment of its own whose
  name ends in `_ko` (`01_derivatives_ko`), so the notes of the submission check, the judge's
  messages and the feedback page's headings of its submissions are Korean. The trusted judge runs
  the test cells outside the kernel, in a folder of its own: the grader gives it the assignment's
  language in COURSE_LANGUAGE, which is how `course_lib.checks` then speaks (course_lib.language);
- the course, for the class report: `instructor report --language ko`, by default the language
  COURSE_LANGUAGE names, else English.

Code that writes texts runs inside `with speaking(language):`; outside, the texts are English.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from course_lib.language import (
    ENGLISH,
    ENVIRONMENT_VARIABLE,
    N_,
    checked_language,
    language_of_folder,
    translations,
)

DOMAIN = "course_grading"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
_speaking: ContextVar[str] = ContextVar("course_grading_language", default=ENGLISH)

__all__ = ["DOMAIN", "LOCALE_DIR", "N_", "_", "assignment_language", "course_language",
           "speaking"]


def assignment_language(assignment: str) -> str:
    """The language of an assignment's students: Korean for `NN_name_ko`, else English."""
    return language_of_folder(assignment)


def course_language() -> str:
    """The language of the instructor's pages: COURSE_LANGUAGE when set, else English."""
    chosen = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    return checked_language(chosen, f"the environment variable {ENVIRONMENT_VARIABLE}") \
        if chosen else ENGLISH


@contextmanager
def speaking(language: str) -> Iterator[str]:
    """Within the block, `_` translates into `language`."""
    token = _speaking.set(checked_language(language, "the language"))
    try:
        yield language
    finally:
        _speaking.reset(token)


def _(message: str) -> str:
    """`message` in the language spoken now (see `speaking`), from the grading catalog."""
    return translations(DOMAIN, LOCALE_DIR, _speaking.get()).gettext(message)
