"""The term tables of the notebooks come from course_lib/glossary.toml, and no notebook uses a
Korean word the glossary rejects for an idea."""
from __future__ import annotations

import shutil

import nbformat
import pytest
from grading_tools import ROOT

from course_lib import glossary

SOLUTIONS = sorted((ROOT / "solutions").glob("*/*.ipynb"))
TERMS = glossary.load()


@pytest.mark.parametrize("notebook", SOLUTIONS, ids=lambda p: p.parent.name)
def test_the_table_is_what_the_glossary_generates(notebook):
    assert not glossary.regenerate(notebook, TERMS, write=False), (
        f"{notebook.name}: its term table differs from course_lib/glossary.toml: "
        f"run `python -m course_lib.glossary`")


@pytest.mark.parametrize("notebook", SOLUTIONS, ids=lambda p: p.parent.name)
def test_no_notebook_uses_a_rejected_term(notebook):
    assert glossary.rejected_uses(notebook, TERMS) == []


def test_generation_rewrites_a_table_in_place_and_twice_changes_nothing(tmp_path):
    original = ROOT / "solutions" / "03_linear_regression" / "03_linear_regression.ipynb"
    copy = tmp_path / original.name
    shutil.copy(original, copy)
    nb = nbformat.read(copy, as_version=4)
    cell = next(c for c in nb.cells if glossary.TABLE_START in c.source)
    before, table_start = cell.source, cell.source.index(glossary.TABLE_START)
    cell.source = before[:table_start] + "| English | 한국어 |\n| --- | --- |\n| old | 낡은 |\n\nafter"
    nbformat.write(nb, copy)
    assert glossary.regenerate(copy, TERMS) is True
    regenerated = next(c for c in nbformat.read(copy, as_version=4).cells
                       if glossary.TABLE_START in c.source).source
    assert regenerated.startswith(before[:table_start]) and regenerated.endswith("\n\nafter")
    assert "| linear regression | 선형 회귀 |" in regenerated and "낡은" not in regenerated
    assert glossary.regenerate(copy, TERMS) is False
    assert copy.read_bytes() == nbformat.writes(nbformat.read(copy, as_version=4)).encode() + b"\n"


def test_a_rejected_variant_is_found_outside_the_table_only(tmp_path):
    original = ROOT / "solutions" / "09_mnist" / "09_mnist.ipynb"
    copy = tmp_path / original.name
    shutil.copy(original, copy)
    nb = nbformat.read(copy, as_version=4)
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("이 모델은 과대적합 되었다."))
    nbformat.write(nb, copy)
    [use] = glossary.rejected_uses(copy, TERMS)
    assert "cell 1" in use and "'과대적합'" in use and "과적합 (오버피팅)" in use


def test_the_full_glossary_has_the_seeds_terms_and_says_what_giulgi_means():
    full = "\n".join(glossary.table(TERMS, "00"))
    for word in ["순전파", "오차역전파법", "확률적 경사 하강법", "배치 경사 하강법", "극소점", "수렴",
                 "발산", "가중치 초깃값", "학습률 감쇠", "손실 곡면"]:
        assert word in full, word
    gradient = next(t for t in TERMS if t.en == "gradient")
    assert "slope" in gradient.note and "gradient" in gradient.note
    zero_centred = next(t for t in TERMS if t.en == "zero-centred")
    assert "원점 대칭" in zero_centred.rejected and "원점 대칭" not in zero_centred.ko


@pytest.mark.parametrize("entries, message", [
    ('[[term]]\nen = "a"\nko = "가"\nchapters = ["01"]\n[[term]]\nen = "b"\nko = "가"\nchapters = ["02"]\n',
     "the same ko for two ideas"),
    ('[[term]]\nen = "a"\nko = "가"\nchapters = ["00"]\n', "has no meaning"),
    ('[[term]]\nen = "a"\nko = "가"\nchapters = ["01"]\nmeening = "x"\n', "unknown fields"),
    (('[[term]]\nen = "a"\nko = "가나"\nchapters = ["01"]\n'
      '[[term]]\nen = "b"\nko = "다"\nchapters = ["02"]\nrejected = ["가나"]\n'),
     "rejects \\['가나'\\], which a term uses"),
])
def test_a_glossary_that_breaks_its_rules_is_refused(tmp_path, entries, message):
    path = tmp_path / "glossary.toml"
    path.write_text(entries, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        glossary.load(path)


def test_a_new_chapter_gets_its_terms_from_the_same_file(tmp_path):
    terms = [*TERMS, glossary.Term("layer normalization", "층 정규화", ("99",))]  # a chapter no term names
    assert glossary.table(terms, "99") == ["| English | 한국어 |", "| --- | --- |",
                                           "| layer normalization | 층 정규화 |"]
