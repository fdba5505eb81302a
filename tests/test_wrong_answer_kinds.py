"""The wrong-answer suite covers each kind of grader gap, and each kind is graded for real.

The kinds and the wrong answers that test them are in tests/wrong_answers/kinds.py. These tests
read files only (the grading itself is in tests/test_wrong_answers*.py).
"""
from __future__ import annotations

import importlib.util
from collections import defaultdict
from pathlib import Path

from grading_tools import assignments
from test_wrong_answers import THROUGH_AUTOGRADE, load_answers
from test_wrong_answers_graded import CHAPTERS, FEEDBACK, WRONG_PER_ANSWER, Wrong

KINDS_FILE = Path(__file__).resolve().parent / "wrong_answers" / "kinds.py"
spec = importlib.util.spec_from_file_location("wrong_answer_kinds", KINDS_FILE)
kinds = importlib.util.module_from_spec(spec)
spec.loader.exec_module(kinds)


def every_wrong_answer():
    """(chapter, answer id, description, position among the cell's wrong answers)."""
    for chapter in assignments():
        if chapter.endswith("_ko"):
            continue
        for answer_id, entry in load_answers(chapter).items():
            for position, description in enumerate(entry.get("wrong", {})):
                yield chapter, answer_id, description, position


def graded_for_real() -> set[tuple[str, str, str]]:
    """(chapter, answer id, description) of every wrong answer that test_wrong_answers_graded
    submits: the first WRONG_PER_ANSWER of each cell, and the chosen mistakes."""
    graded = {(chapter, answer_id, description)
              for chapter, answer_id, description, position in every_wrong_answer()
              if chapter in CHAPTERS and position < WRONG_PER_ANSWER}
    for chapter, students in FEEDBACK.items():
        graded |= {(chapter, answer_id, answer.description) for student in students
                   for answer_id, (answer, _) in student.items() if isinstance(answer, Wrong)}
    for chapter, selection in THROUGH_AUTOGRADE.items():
        graded |= {(chapter, answer_id, description) for answer_id, (description, _) in selection.items()}
    return graded


def test_every_named_wrong_answer_exists():
    known = {(chapter, answer_id, description) for chapter, answer_id, description, _ in every_wrong_answer()}
    named = {(chapter, answer_id, description) for chapter, cells in kinds.GAPS.items()
             for answer_id, described in cells.items() for description in described}
    assert not named - known, f"tests/wrong_answers/kinds.py names wrong answers that do not exist: " \
                              f"{sorted(named - known)}"
    unknown = {kind for cells in kinds.GAPS.values() for described in cells.values()
               for kind in described.values()} - set(kinds.KINDS)
    assert not unknown, unknown


def test_every_kind_of_gap_has_wrong_answers_in_several_chapters():
    chapters = defaultdict(set)
    for chapter, answer_id, description, _ in every_wrong_answer():
        chapters[kinds.kind_of(chapter, answer_id, description)].add(chapter)
    thin = {kind: sorted(found) for kind in kinds.KINDS if len(found := chapters[kind]) < 3}
    assert not thin, f"kinds of gap with wrong answers in fewer than 3 chapters: {thin}"


def test_every_kind_of_gap_is_graded_through_the_real_autograde_pipeline():
    graded = defaultdict(list)
    for chapter, answer_id, description in graded_for_real():
        graded[kinds.kind_of(chapter, answer_id, description)].append((chapter, description))
    missing = [kind for kind in kinds.KINDS if not graded[kind]]
    assert not missing, f"no wrong answer of these kinds goes through autograde: {missing}"


def test_chosen_mistakes_cover_hints_near_misses_integers_and_renamed_parameters():
    """The chosen mistakes that test_wrong_answers_graded grades reach what the graded path must show."""
    chosen = [(chapter, answer, said) for chapter in FEEDBACK for student in FEEDBACK[chapter]
              for answer, expected in student.values() for said in expected.values() if said]
    chapters = {chapter for chapter, _, said in chosen if "Hint:" in " ".join(said.words)}
    assert {f"{n:02d}" for n in range(1, 6)} <= {chapter[:2] for chapter in chapters}
    near_misses = {chapter for chapter, _, said in chosen if "Hint:" in said.never}
    assert {f"{n:02d}" for n in range(1, 6)} <= {chapter[:2] for chapter in near_misses}
    assert any("one too small: an off-by-one" in " ".join(said.words) for _, _, said in chosen)
    renamed_chapters = {chapter for chapter, answer, _ in chosen if isinstance(answer, Wrong) and answer.renamed}
    assert len(renamed_chapters) >= 5, renamed_chapters
    for chapter, answer, said in chosen:
        if isinstance(answer, Wrong) and answer.renamed and "changed its input" in " ".join(said.words):
            assert any(f"`{new}`" in " ".join(said.words) for _, new in answer.renamed), (chapter, answer)
    assert set(CHAPTERS) >= set(FEEDBACK) | set(THROUGH_AUTOGRADE)
