"""The checks speak Korean in a Korean edition: the catalogs, the choice of language, the messages.

The catalogs: each .mo is what its .po compiles to, every marked text is translated with the
same {fields}, and `messages check` fails when one is not. The language: COURSE_LANGUAGE, else
the folder's `_ko`. The messages: every kind of mistake gets the same diagnosis in both languages
(a hint in one is a hint in the other) and a Korean message shows the same numbers as the English
one, no more. The real paths (a kernel, autograde and feedback) are in test_korean_grading.py.
"""
from __future__ import annotations

import os
import re
import shutil
import warnings

import numpy as np
import pytest
from grading_tools import ROOT, is_test, read

from course_lib import failure_display, fonts, language
from course_lib.checks import (
    call_student,
    case,
    check_array,
    check_function,
    check_gradient,
    check_result,
)
from course_lib.grading import catalogs
from course_lib.grading.language import _ as grading_text
from course_lib.grading.language import assignment_language, course_language, speaking

HANGUL = re.compile(r"[\uac00-\ud7a3]")
NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?")


@pytest.fixture
def in_language(monkeypatch):
    """Call a check in a language (COURSE_LANGUAGE); return its failure message."""
    def failure(lang: str, check, *args, **kwargs) -> str:
        monkeypatch.setenv(language.ENVIRONMENT_VARIABLE, lang)
        with pytest.raises(AssertionError) as info:
            check(*args, **kwargs)
        return str(info.value)
    return failure


# -- the catalogs ---------------------------------------------------------------------------------

@pytest.mark.parametrize("domain", catalogs.DOMAINS, ids=lambda d: d.name)
def test_each_mo_is_what_its_po_compiles_to(domain):
    for lang in catalogs.TRANSLATED:
        compiled = catalogs.mo_bytes(catalogs.read_catalog(domain.po_path(lang)))
        assert domain.mo_path(lang).read_bytes() == compiled, \
            f"{domain.mo_path(lang)} is stale: python -m course_lib.grading.catalogs compile"


@pytest.mark.parametrize("domain", catalogs.DOMAINS, ids=lambda d: d.name)
def test_every_text_of_the_code_has_a_translation_with_the_same_fields(domain):
    assert catalogs.problems(domain, language.KOREAN) == []
    assert len(catalogs.template(domain)) > 40  # the extractor found the texts at all


def test_check_names_every_kind_of_gap(tmp_path):
    """A copy of the grading domain, broken five ways: `check` names each."""
    real = catalogs.DOMAINS[1]
    sources = tmp_path / "grading"
    shutil.copytree(real.sources, sources, ignore=shutil.ignore_patterns("locale", "__pycache__"))
    domain = catalogs.Domain(real.name, sources, (), tmp_path / "locale")
    po = domain.po_path(language.KOREAN)
    po.parent.mkdir(parents=True)
    shutil.copy(real.po_path(language.KOREAN), po)
    shutil.copy(real.mo_path(language.KOREAN), domain.mo_path(language.KOREAN))
    assert catalogs.problems(domain, language.KOREAN) == []
    (sources / "new.py").write_text('from course_lib.grading.language import _\n'
                                    'NEW = _("a text nobody translated")\n'
                                    'HIDDEN = f"{_(\'a text inside an f-string\')}"\n')
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgstr "점수:"', 'msgstr "점수 {score}:"')  # a field English lacks
    text = text.replace('msgid "Task:"', '#, fuzzy\nmsgid "Task:"')
    po.write_text(text, encoding="utf-8")
    found = "\n".join(catalogs.problems(domain, language.KOREAN))
    assert "missing (run messages extract): 'a text nobody translated'" in found
    assert "Babel does not see 'a text inside an f-string'" in found
    assert "must use the fields [] of the English, no others: 'Score:'" in found
    assert "fuzzy: the English changed" in found and "'Task:'" in found
    assert "course_grading.mo: not what course_grading.po compiles to" in found


def test_extract_keeps_translations_and_marks_changed_english_fuzzy(tmp_path):
    real = catalogs.DOMAINS[1]
    sources = tmp_path / "grading"
    sources.mkdir()
    (sources / "texts.py").write_text('from course_lib.grading.language import _\n'
                                      '_("Score:")\n_("Test cells")\n')
    domain = catalogs.Domain(real.name, sources, (), tmp_path / "locale")
    po = domain.po_path(language.KOREAN)
    po.parent.mkdir(parents=True)
    shutil.copy(real.po_path(language.KOREAN), po)
    catalogs.extract(domain, language.KOREAN)
    catalog = catalogs.read_catalog(po)
    assert catalog.get("Score:").string == "점수:" and not catalog.get("Score:").fuzzy
    changed = catalog.get("Test cells")
    assert changed.fuzzy and changed.string == "테스트 셀"
    # the English it translated stays beside it, for the translator ("Test cell" or "test cell")
    assert re.search(r'#\| msgid "[Tt]est cell"\nmsgid "Test cells"', po.read_text(encoding="utf-8"))
    assert catalog.get("Student's answer") is None  # gone from the code: obsolete
    assert "Student's answer" in catalog.obsolete


# -- which language ---------------------------------------------------------------------------------

def test_the_folder_decides_unless_course_language_says_otherwise(tmp_path, monkeypatch):
    monkeypatch.delenv(language.ENVIRONMENT_VARIABLE, raising=False)
    korean, english = tmp_path / "13_autograd_ko", tmp_path / "13_autograd"
    korean.mkdir()
    english.mkdir()
    monkeypatch.chdir(korean)
    assert language.current_language() == "ko"
    monkeypatch.setenv(language.ENVIRONMENT_VARIABLE, "en")
    assert language.current_language() == "en"
    monkeypatch.chdir(english)
    assert language.current_language() == "en"
    monkeypatch.setenv(language.ENVIRONMENT_VARIABLE, "ko")
    assert language.current_language() == "ko"
    monkeypatch.setenv(language.ENVIRONMENT_VARIABLE, " ")
    assert language.current_language() == "en"


def test_an_unknown_language_is_refused_with_the_choices(monkeypatch):
    monkeypatch.setenv(language.ENVIRONMENT_VARIABLE, "fr")
    with pytest.raises(ValueError, match=r"COURSE_LANGUAGE is 'fr'; the course speaks 'en' or 'ko'"):
        language.current_language()
    with pytest.raises(ValueError, match="COURSE_LANGUAGE is 'fr'"):
        course_language()


def test_the_grading_system_speaks_the_assignments_language():
    assert assignment_language("13_autograd_ko") == "ko"
    assert assignment_language("13_autograd") == "en"
    assert assignment_language("kobold") == "en"
    assert grading_text("Score:") == "Score:"
    with speaking("ko"):
        assert grading_text("Score:") == "점수:"
        with speaking("en"):
            assert grading_text("Score:") == "Score:"
        assert grading_text("Score:") == "점수:"
    assert grading_text("Score:") == "Score:"


# -- the messages -----------------------------------------------------------------------------------

def mean_rows(x):
    return x.mean(axis=1)


X = np.arange(12.0).reshape(3, 4) + 1
ROWS = [case("a batch of 3 samples with 4 features", X),
        case("a batch of 2 samples with 5 features", np.linspace(-2, 3, 10).reshape(2, 5))]


def changes_input(x):
    x[0, 0] = 99.0
    return x.mean(axis=1)


def not_implemented(x):
    raise NotImplementedError()


def raises(x):
    return x.mean(axis=1) / x.shape[7]


# one per diagnosis: a check and its arguments, failing on the student's mistake
MISTAKES = {
    "twice too large": (check_function, lambda x: 2 * x.mean(axis=1), mean_rows, ROWS),
    "divided by the batch": (check_function, lambda x: x.sum(axis=1), mean_rows, ROWS),
    "wrong sign": (check_function, lambda x: -x.mean(axis=1), mean_rows, ROWS),
    "offset": (check_function, lambda x: x.mean(axis=1) + 0.5, mean_rows, ROWS),
    "zeros": (check_function, lambda x: np.zeros(len(x)), mean_rows, ROWS),
    "no return": (check_function, lambda x: None, mean_rows, ROWS),
    "kept dims": (check_function, lambda x: x.mean(axis=1, keepdims=True), mean_rows, ROWS),
    "one number": (check_function, lambda x: x.mean(), mean_rows, ROWS),
    "changed input": (check_function, changes_input, mean_rows, ROWS),
    "not implemented": (check_function, not_implemented, mean_rows, ROWS),
    "raises": (check_function, raises, mean_rows, ROWS),
    "transposed": (check_array, X.T.copy(), X.T.T, "a matrix"),
    "nan": (check_array, np.array([1.0, np.nan]), np.array([1.0, 2.0]), "a log"),
    "dtype": (check_array, X.astype(np.float64), X.astype(np.float32), "float32 in",
              ),
    "near": (check_array, 1.0001, 1.0, "a derivative"),
    "integers off by one": (check_array, np.array([3, 4]), np.array([2, 3]), "counts"),
    "reversed pair": (check_result, (2.0, 1.0), (1.0, 2.0), "a pair"),
    "dict keys": (check_result, {"W": 1.0}, {"W": 1.0, "b": 2.0}, "grads"),
    "gradient 1.5 times too large": (check_gradient, 3 * X, lambda x: np.sum(x ** 2), X,
                                     "the gradient of a sum of squares"),
    "gradient wrong near a kink": (check_gradient, np.array([1.0, 0.0, 1.0]),
                                   lambda x: np.sum(np.maximum(x, 0)), np.array([1e-7, 1.0, 2.0]),
                                   "the gradient of a sum of ReLUs"),
}
OPTIONS = {"dtype": {"check_dtype": True}}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_a_mistake_gets_the_same_diagnosis_in_both_languages(mistake, in_language):
    check, *arguments = MISTAKES[mistake]
    options = {**OPTIONS.get(mistake, {}), **({"name": "mean_rows"} if check is check_function
                                              else {})}
    english = in_language("en", check, *arguments, **options)
    korean = in_language("ko", check, *arguments, **options)
    assert not HANGUL.search(english), english
    assert HANGUL.search(korean), korean
    # a hint in one is a hint in the other, line for line
    assert len(korean.splitlines()) == len(english.splitlines()), (english, korean)
    assert english.count("Hint: ") == korean.count("힌트: "), (english, korean)
    assert "Hint: " not in korean
    # the same numbers (indices, values, tolerances, sizes): nothing more, nothing less
    assert sorted(NUMBER.findall(korean)) == sorted(NUMBER.findall(english)), (english, korean)
    assert re.findall(r"`[^`]+`", korean) == re.findall(r"`[^`]+`", english) \
        or mistake in {"not implemented", "changed input"}


def test_a_korean_message_reads_as_korean(in_language):
    message = in_language("ko", check_function, lambda x: 2 * x.mean(axis=1), mean_rows, ROWS,
                          name="mean_rows")
    assert message.splitlines()[0] == ("mean_rows: 결과가 틀렸습니다 (사례: a batch of 3 samples "
                                       "with 4 features).")
    assert message.splitlines()[-1] == "힌트: 모든 값이 2배 큽니다."
    message = in_language("ko", call_student, not_implemented, X, name="mean_rows",
                          description="a batch")
    assert message == ("mean_rows은(는) 아직 구현되지 않았습니다: `raise NotImplementedError()`를 "
                       "여러분의 코드로 바꾸세요.")


@pytest.mark.parametrize("points", ["2 points", "2점"])
def test_korean_test_cells_are_recognised_when_run_too_early(monkeypatch, points):
    """A Korean test cell's first line names its functions too: "not run yet" in Korean."""
    monkeypatch.setenv(language.ENVIRONMENT_VARIABLE, "ko")
    header = f"# 연습 문제 1 ({points}): xavier_std와 he_std의 테스트. 이 셀을 실행해 답을 확인하세요."
    match = failure_display.TEST_CELL_HEADER.match(header)
    assert match is not None
    assert failure_display.PYTHON_NAME.findall(match.group(3)) == ["xavier_std", "he_std"]
    filename = "<ipython-input-1-korean>"
    source = f"{header}\nhe_std(4)\n"
    failure_display.linecache.cache[filename] = (len(source), None, source.splitlines(True),
                                                 filename)
    try:
        with pytest.raises(NameError) as info:
            exec(compile(source, filename, "exec"), {})
        lines = failure_display.not_run_yet(info.value)
    finally:
        del failure_display.linecache.cache[filename]
    assert lines[0] == "\x1b[31m아직 실행 전\x1b[0m: `he_std`이(가) 정의되지 않아 이 테스트를 실행할 수 없습니다."
    assert lines[1].startswith("연습 문제 1의 답 셀(이 셀 위에서 `he_std`을 정의하는 셀)")


def test_every_test_cell_that_names_its_functions_is_recognised():
    """A test cell run before its answer says "not run yet" only if its first line is read:
    cells that grade one part of an exercise ("# Exercise 1, the loss (2 points): tests for f")
    too, in both languages."""
    headers = [cell.source.split("\n")[0].strip()
               for path in sorted((ROOT / "solutions").glob("*/*.ipynb"))
               for cell in read(path).cells if is_test(cell)]
    naming = [h for h in headers if "tests for " in h or "의 테스트" in h]
    assert len(naming) > 100 and any(", the loss (" in h for h in naming)
    for header in naming:
        match = failure_display.TEST_CELL_HEADER.match(header)
        assert match is not None, header
        assert failure_display.PYTHON_NAME.findall(match.group(2) or match.group(3)), header


def test_the_korean_class_report_draws_its_hangul_with_no_missing_glyph():
    from course_lib.grading.report import AssignmentSummary, report_html
    if fonts.hangul_font() is None:
        if os.environ.get("COURSE_REQUIRE_HANGUL_FONT") == "1":
            pytest.fail(f"COURSE_REQUIRE_HANGUL_FONT=1 but {fonts.INSTALL_HINT}")
        pytest.skip(fonts.INSTALL_HINT)
    summary = AssignmentSummary("13_autograd_ko", 15.0, [3.0, 12.0, 15.0],
                                {"test_local_derivatives": (2, 3), "test_backpropagate": (1, 3)})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        korean = report_html("dl-foundations", [summary], "ko")
    assert [str(w.message) for w in caught if "missing from font" in str(w.message)] == []
    assert "<h1>dl-foundations 성적</h1>" in korean and "<html lang='ko'>" in korean
    assert "채점된 제출물 3개, 제출하지 않은 학생 0명. 15점 만점에 평균 10.00, 중앙값 12." in korean
    assert "<th>테스트 셀</th>" in korean and "제출한 그대로 채점됨" in korean
    english = report_html("dl-foundations", [summary])
    assert "<h1>Grades of dl-foundations</h1>" in english and not HANGUL.search(english)
