"""The language the checks speak: English, or Korean in a Korean edition.

Every message a check writes for the student is English text marked for translation (`_`, or
`N_` for a constant translated where it is used); its Korean lives in a standard gettext
catalog, `course_lib/locale/ko/LC_MESSAGES/course_lib.po`, compiled to the `.mo` beside it that
the stdlib's `gettext` reads. (`python -m course_lib.grading messages` extracts, updates and
compiles the catalogs; tests/test_messages.py checks that each `.mo` is what its `.po` compiles
to and that every message has a translation.)

The language is decided at each message, in this order:

1. the environment variable COURSE_LANGUAGE, `en` or `ko`, when it is set: a learner who wants
   Korean messages in an English notebook (or English ones in a Korean notebook) sets it; the
   grader sets it for the trusted judge from the assignment's name;
2. otherwise the current folder: a notebook's kernel runs in the notebook's folder, and a Korean
   edition's folder ends in `_ko` (`notebooks/01_derivatives_ko/`, and when nbgrader grades it,
   `.../<student>/01_derivatives_ko/`), so its checks speak Korean;
3. otherwise English.

A translation keeps the `{fields}` of its English text, no more and no fewer, so a Korean message
shows exactly what the English one shows (a hidden test's inputs stay as hidden).
"""
from __future__ import annotations

import gettext
import os
from functools import lru_cache
from pathlib import Path

ENGLISH, KOREAN = "en", "ko"
LANGUAGES = (ENGLISH, KOREAN)
ENVIRONMENT_VARIABLE = "COURSE_LANGUAGE"
DOMAIN = "course_lib"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def N_(message: str) -> str:  # noqa: N802 (gettext's name for "translated later")
    """`message` itself: marks a constant for the catalog; `_` translates it where it is shown."""
    return message


def language_of_folder(name: str) -> str:
    """KOREAN for a Korean edition's folder or assignment name (`01_derivatives_ko`), else ENGLISH."""
    return KOREAN if name.endswith(f"_{KOREAN}") else ENGLISH


def checked_language(language: str, source: str) -> str:
    """`language` if the course speaks it; otherwise ValueError naming `source` and the choices."""
    if language not in LANGUAGES:
        raise ValueError(f"{source} is {language!r}; the course speaks "
                         f"{' or '.join(map(repr, LANGUAGES))}")
    return language


def current_language() -> str:
    """The language of the messages now: COURSE_LANGUAGE, else the current folder's (see above)."""
    chosen = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if chosen:
        return checked_language(chosen, f"the environment variable {ENVIRONMENT_VARIABLE}")
    try:
        folder = Path.cwd().name
    except OSError:  # the current folder was deleted: nothing says Korean
        return ENGLISH
    return language_of_folder(folder)


@lru_cache(maxsize=None)
def translations(domain: str, locale_dir: Path, language: str) -> gettext.NullTranslations:
    """The compiled catalog of `domain` in `language` (English: the text as written).

    A Korean catalog that is missing raises FileNotFoundError: a broken installation should
    say so, not fall back to English unnoticed.
    """
    checked_language(language, "the language")
    if language == ENGLISH:
        return gettext.NullTranslations()
    return gettext.translation(domain, str(locale_dir), languages=[language])


def _(message: str, language: str | None = None) -> str:
    """`message` in `language` (default: `current_language()`), from the course_lib catalog."""
    return translations(DOMAIN, LOCALE_DIR, language or current_language()).gettext(message)
