"""The Korean editions: complete, current, generated from their catalogs, and code for code the
English notebooks; plots draw Hangul; JupyterLab has its Korean language pack.

The drift tests change an English cell (or the Korean code) in a copy of the course and show that
the check fails, naming the cell, and that `extract` keeps the old translation marked fuzzy.
"""
from __future__ import annotations

import ast
import logging
import os
import shutil
import subprocess
import sys
import warnings

import nbformat
import pytest
from grading_tools import ROOT, assignments, is_answer, nbgrader_meta, read, release_notebook

from course_lib import fonts, glossary
from course_lib.grading import translation

TRANSLATED = translation.translated_names()
# the chapter the drift tests edit in a copy of the course
SAMPLE = TRANSLATED[0] if TRANSLATED else None


def test_every_chapter_has_a_korean_edition():
    chapters = sorted(p.name for p in (ROOT / "solutions").iterdir()
                      if p.is_dir() and not p.name.endswith(translation.SUFFIX))
    assert len(chapters) == 14 and TRANSLATED == chapters


@pytest.mark.parametrize("name", TRANSLATED)
def test_catalog_is_complete_and_current(name):
    errors = translation.problems(name)
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("name", TRANSLATED)
def test_catalog_is_what_extract_writes(name, tmp_path):
    """Nothing to merge: running `extract` now would change no byte of the catalog."""
    path = tmp_path / "extracted.po"
    translation.write_catalog(translation.extract(name), path)
    assert path.read_bytes() == translation.catalog_path(name).read_bytes(), (
        f"translations/ko/{name}.po is not what `extract` writes: run "
        f"`python -m course_lib.grading.translation extract {name}` and translate what it marks")


@pytest.mark.parametrize("name", TRANSLATED)
def test_gettext_itself_accepts_the_catalog(name, tmp_path):
    """GNU msgfmt, the reference implementation of the format, checks the catalog strictly."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        if os.environ.get("CI"):
            pytest.fail("msgfmt (Debian package gettext) is missing: .ci/run installs it")
        pytest.skip("msgfmt (Debian package gettext) is not installed")
    result = subprocess.run([msgfmt, "--check", "--statistics", "-o", str(tmp_path / "ko.mo"),
                             str(translation.catalog_path(name))], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


@pytest.mark.parametrize("name", TRANSLATED)
def test_korean_source_is_what_the_build_makes(name):
    path = translation.translated_notebook(name)
    assert path.is_file(), f"no {path}: run `python -m course_lib.grading.translation build {name}`"
    assert path.read_text(encoding="utf-8") == nbformat.writes(translation.translate(name)) + "\n", (
        f"{path.relative_to(ROOT)} differs from what its catalog makes: "
        f"run `python -m course_lib.grading.translation build {name}`")


@pytest.mark.parametrize("name", TRANSLATED)
def test_korean_notebook_is_the_english_one_in_all_but_words(name):
    english = read(translation.english_notebook(name))
    korean = read(translation.translated_notebook(name))
    assert [c.id for c in korean.cells] == [c.id for c in english.cells]
    assert korean.metadata.course == {"language": "ko", "translated_from": name}
    differences = []
    for en, ko in zip(english.cells, korean.cells, strict=True):
        assert (ko.cell_type, ko.metadata) == (en.cell_type, en.metadata), \
            f"{ko.id}: cell type or metadata (nbgrader's included) differ"
        if en.cell_type == "code":
            differences += translation.same_code(en.source, ko.source, en.id)
        else:
            assert ko.source != en.source or not any(c.isalpha() for c in en.source), \
                f"{en.id}: the markdown cell is still the English text"
    assert not differences, "\n".join(differences)
    hangul = sum(1 for cell in korean.cells for c in cell.source if "가" <= c <= "힣")
    assert hangul > 5 * sum(1 for cell in english.cells for c in cell.source if "가" <= c <= "힣")


def test_every_korean_edition_has_a_catalog_and_is_released():
    korean = [name for name in assignments() if name.endswith(translation.SUFFIX)]
    assert korean == [f"{name}{translation.SUFFIX}" for name in TRANSLATED]
    for name in korean:
        assert release_notebook(name).is_file(), f"notebooks/{name} missing: release it"
        released = nbformat.writes(read(release_notebook(name)))
        source = read(translation.translated_notebook(name.removesuffix(translation.SUFFIX)))
        assert "### BEGIN SOLUTION" not in released, f"notebooks/{name} holds a solution"
        # code answers become nbgrader's stub, written answers its placeholder (10 has only
        # those); 00 has no answers at all
        if any(map(is_answer, source.cells)):
            assert "raise NotImplementedError()" in released
        elif any(nbgrader_meta(cell).get("solution") for cell in source.cells):
            assert "YOUR ANSWER HERE" in released


# -- drift, shown on a copy of the course -------------------------------------------------------

@pytest.fixture
def course(tmp_path):
    """A copy of SAMPLE's English notebook, Korean notebook and catalog."""
    for path in (translation.english_notebook(SAMPLE), translation.translated_notebook(SAMPLE),
                 translation.catalog_path(SAMPLE)):
        target = tmp_path / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    return tmp_path


def edit_english(root, change):
    path = translation.english_notebook(SAMPLE, root)
    nb = read(path)
    change(nb)
    nbformat.write(nb, path)


def run_cli(root, *args):
    """`python -m course_lib.grading translate ...`, the instructor's command, in `root`."""
    return subprocess.run([sys.executable, "-m", "course_lib.grading", "--root", str(root),
                           "translate", *args, SAMPLE], capture_output=True, text=True, cwd=ROOT)


def first(nb, cell_type):
    return next(cell for cell in nb.cells if cell.cell_type == cell_type
                and glossary.TABLE_START not in cell.source)


def test_a_changed_english_cell_is_stale_until_its_translation_is_revised(course):
    def change(nb):
        first(nb, "markdown").source += "\n\nA sentence added after the translation."
    edit_english(course, change)
    cell_id = first(read(translation.english_notebook(SAMPLE, course)), "markdown").id
    [problem] = translation.problems(SAMPLE, course)
    assert f"cell {cell_id} (markdown): stale" in problem
    checked = run_cli(course, "check")
    assert checked.returncode == 1 and cell_id in checked.stdout
    with pytest.raises(translation.TranslationError, match=cell_id):
        translation.build(SAMPLE, course)

    assert run_cli(course, "extract").returncode == 0  # as msgmerge: kept, fuzzy, old msgid kept
    path = translation.catalog_path(SAMPLE, course)
    catalog = translation.read_catalog(path)
    msgid = translation.units_of(read(translation.english_notebook(SAMPLE, course)))[0].msgid
    message = catalog.get(msgid, cell_id)
    assert message.fuzzy and message.string and "A sentence added" not in message.previous_id[0]
    [problem] = translation.problems(SAMPLE, course)
    assert "stale (fuzzy)" in problem

    message.flags.discard("fuzzy")  # the translator revises it
    message.string += "\n\n번역 뒤에 더한 문장."
    translation.write_catalog(catalog, path)
    assert translation.problems(SAMPLE, course) == []
    assert run_cli(course, "build").returncode == 0
    rebuilt = read(translation.translated_notebook(SAMPLE, course))
    assert "번역 뒤에 더한 문장." in first(rebuilt, "markdown").source


def test_a_new_cell_or_a_changed_comment_has_no_translation(course):
    def change(nb):
        nb.cells.insert(1, nbformat.v4.new_markdown_cell("A new paragraph.", id="new-cell"))
        code = next(c for c in nb.cells if c.cell_type == "code"
                    and translation.code_units(c))
        code.source = code.source.replace(translation.code_units(code)[0].msgid, "'changed'"
                                          if translation.code_units(code)[0].kind == "string"
                                          else "# a changed comment", 1)
        nb.metadata["changed_cell"] = code.id
    edit_english(course, change)
    changed = read(translation.english_notebook(SAMPLE, course)).metadata["changed_cell"]
    errors = translation.problems(SAMPLE, course)
    assert any("cell new-cell (markdown): missing" in e for e in errors), errors
    assert any(f"cell {changed} (" in e and "stale" in e for e in errors), errors
    assert len(errors) == 2, errors


def test_korean_code_that_differs_from_english_is_caught():
    english = ("x = np.zeros(3)  # three zeros\nprint(f'mean {x.mean():.2f}')\n"
               "assert x.sum() == 0, 'the sum must be 0'\nlabels = {'train': 1}\n")
    words_only = ("x = np.zeros(3)  # 0 세 개\nprint(f'평균 {x.mean():.2f}')\n"
                  "assert x.sum() == 0, '합은 0이어야 합니다'\nlabels = {'train': 1}\n")
    assert translation.same_code(english, words_only) == []
    for changed in (words_only.replace("zeros(3)", "zeros(4)"),
                    words_only.replace("{'train': 1}", "{'훈련': 1}"),   # a key, not shown text
                    words_only.replace("x.sum() == 0", "x.sum() <= 0"),
                    words_only.replace("# 0 세 개", "; y = 1")):
        [difference] = translation.same_code(english, changed, "c1")
        assert difference.startswith("cell c1: the code differs")
    marked = "### BEGIN SOLUTION\ny = 1\n### END SOLUTION\nz = 2\n"
    assert translation.same_code(marked, marked.replace("y = 1\n### END SOLUTION\n",
                                                        "### END SOLUTION\ny = 1\n"))


def test_what_the_checks_quote_is_translated_and_their_inputs_are_not():
    """A failure message quotes a case's description, the label of what is compared, the labels
    of `returned`, a hint and a raised AssertionError's text: those are units, as are both
    branches of a conditional in a print. The inputs of a case, a function's name and the
    strings of a notebook's own check_ helper are code."""
    cell = nbformat.v4.new_code_cell(
        "cases = [case('a batch of 3 samples', 'tanh', np.ones(3)),\n"
        "         fresh_case(f'{n} rows', lambda: (x,))]\n"
        "check_function(f, ref, cases, name='f', returned=(0, 'the loss'), hint='divide by n')\n"
        "check_array(got, want, 'the gradient of f', hint='check the sign')\n"
        "check_gradient(g, f, x, 'the gradient on a ' + f'{n}-point batch')\n"
        "check_refused(f, ref, 'every', 'every = 0')\n"
        "raise AssertionError('the weights changed')\n"
        "print('data:', 'all of it' if full else f'{n} of it')\n", id="c1")
    shown = [unit.msgid for unit in translation.code_units(cell) if unit.kind == "string"]
    assert shown == ["'a batch of 3 samples'", "f'{n} rows'", "'the loss'", "'divide by n'",
                     "'the gradient of f'", "'check the sign'", "'the gradient on a '",
                     "f'{n}-point batch'", "'the weights changed'", "'data:'", "'all of it'",
                     "f'{n} of it'"]


def test_malformed_translations_are_refused():
    unit = translation.Unit("c", "f'loss {loss:.3f} after {n} steps'", "string")
    assert translation._malformed(unit, "f'{n} 스텝 뒤 손실 {loss:.3f}'") == []
    assert translation._malformed(unit, "f'손실 {loss:.3f}'")          # a field lost
    assert translation._malformed(unit, "'손실 {loss:.3f} {n}'")       # no longer an f-string
    assert translation._malformed(unit, "손실")                         # not a literal
    comment = translation.Unit("c", "# why", "comment")
    assert translation._malformed(comment, "왜") and not translation._malformed(comment, "# 왜")
    answer = translation.Unit("c", "Answer:\n### BEGIN SOLUTION\nmodel\n### END SOLUTION",
                              "markdown")
    assert translation._malformed(answer, "답:\n모범 답안")
    assert not translation._malformed(answer, "답:\n### BEGIN SOLUTION\n모범\n### END SOLUTION")


def test_the_term_table_comes_from_the_glossary_in_both_languages():
    for name in TRANSLATED:
        korean = translation.translated_notebook(name)
        assert not glossary.regenerate(korean, glossary.load(), write=False)
        assert translation.GLOSSARY_PLACEHOLDER in translation.catalog_path(name).read_text()


# -- Hangul in plots, JupyterLab in Korean -------------------------------------------------------

def korean_text_of_plots() -> str:
    """Every character of the shown strings of the Korean notebooks (titles, labels, prints)."""
    text = ""
    for name in TRANSLATED:
        for cell in read(translation.translated_notebook(name)).cells:
            if cell.cell_type == "code":
                text += "".join(u.msgid for u in translation.code_units(cell) if u.kind == "string")
    return text


def test_plots_draw_hangul_with_no_missing_glyph(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    import course_lib.plotting  # noqa: F401  (sets the font up, as in a notebook)

    family = fonts.hangul_font()
    if family is None:
        if os.environ.get("COURSE_REQUIRE_HANGUL_FONT") == "1":
            pytest.fail(f"COURSE_REQUIRE_HANGUL_FONT=1 but {fonts.INSTALL_HINT}")
        pytest.skip(fonts.INSTALL_HINT)
    assert family in matplotlib.rcParams["font.family"]
    shown = {c for c in korean_text_of_plots() if "가" <= c <= "힣"}
    assert len(shown) > 50, "the Korean notebooks show little Korean in their code"
    charmap = FT2Font(font_manager.findfont(family)).get_charmap()
    assert {c for c in shown if ord(c) not in charmap} == set()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure, ax = plt.subplots(figsize=(4, 3))
        ax.plot([-1, 0, 1], label="훈련 손실 (loss)")
        ax.set(title="가중치 초깃값: " + "".join(sorted(shown))[:20], xlabel="에포크", ylabel="정확도")
        ax.legend()
        figure.savefig(tmp_path / "hangul.png", bbox_inches="tight")
        plt.close(figure)
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []


def korean_shown_strings() -> list[str]:
    """The shown strings of the Korean notebooks that hold Hangul, as matplotlib would get them
    (each {…} field of an f-string as 0)."""
    texts = []
    for name in TRANSLATED:
        for cell in read(translation.translated_notebook(name)).cells:
            if cell.cell_type != "code":
                continue
            for unit in translation.code_units(cell):
                if unit.kind != "string" or not any("가" <= c <= "힣" for c in unit.msgid):
                    continue
                node = ast.parse(f"({unit.msgid}\n)", mode="eval").body
                parts = node.values if isinstance(node, ast.JoinedStr) else [node]
                texts.append("".join(part.value if isinstance(part, ast.Constant) else "0"
                                     for part in parts))
    return texts


def test_every_korean_text_of_the_notebooks_draws_with_no_missing_glyph(caplog):
    """Each shown string drawn as a title is: mathtext ($…$) has fonts of its own, without
    Hangul, and reports the boxes it draws in matplotlib's log, not as a warning."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import course_lib.plotting  # noqa: F401  (sets the font up, as in a notebook)

    if fonts.hangul_font() is None:
        if os.environ.get("COURSE_REQUIRE_HANGUL_FONT") == "1":
            pytest.fail(f"COURSE_REQUIRE_HANGUL_FONT=1 but {fonts.INSTALL_HINT}")
        pytest.skip(fonts.INSTALL_HINT)
    figure, ax = plt.subplots()
    boxes = {}
    for text in korean_shown_strings():
        caplog.clear()
        with warnings.catch_warnings(record=True) as caught, \
                caplog.at_level(logging.WARNING, logger="matplotlib"):
            warnings.simplefilter("always")
            ax.set_title(text)
            figure.canvas.draw()
        said = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
        if any("glyph" in message.lower() for message in said):
            boxes[text] = said[0]
    plt.close(figure)
    assert boxes == {}, ("drawn with boxes: mathtext ($…$) has no Hangul, so write a formula "
                         "beside Korean words in Unicode (x₁, Dᵤf):\n" + "\n".join(f"{text!r}: {message}" for text, message in boxes.items()))


def test_without_a_korean_font_the_warning_says_what_to_install(monkeypatch):
    import matplotlib
    monkeypatch.setattr(fonts, "KOREAN_FONTS", ("No Such Font KR",))
    monkeypatch.setattr(fonts, "KOREAN_FONT_FILES", ("NoSuchFontKR",))
    before = list(matplotlib.rcParams["font.family"])
    with pytest.warns(fonts.MissingHangulFont, match="apt-get install fonts-nanum"):
        assert fonts.use_hangul_font() is None
    assert matplotlib.rcParams["font.family"] == before


def test_jupyterlab_has_its_korean_language_pack():
    """Settings > Language lists it, and JupyterLab's own strings have Korean translations."""
    from jupyterlab_server.translation_utils import get_language_pack, get_language_packs
    packs, message = get_language_packs("en")
    assert "ko_KR" in packs, message
    assert packs["ko_KR"]["nativeName"] == "한국어 (대한민국)"  # as README.md names it
    catalog, message = get_language_pack("ko_KR")
    assert catalog["jupyterlab"]["Settings"] == ["설정"], message
