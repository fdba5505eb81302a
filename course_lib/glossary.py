"""The English/Korean term tables of the notebooks, generated from one glossary (glossary.toml).

    python -m course_lib.glossary            # rewrite the tables in solutions/*/*.ipynb in place
    python -m course_lib.glossary --check    # only list the notebooks whose table differs
    python -m course_lib.glossary 00 03      # only these chapters

A notebook's table is the block of lines that starts with ``| English | 한국어`` in one of its
markdown cells; generation replaces exactly that block, so running it twice changes nothing.
00_start_here gets every term marked "00", with its meaning; every other chapter gets the terms
that name its number. The format of the data is described at the top of glossary.toml.

This is a tool for whoever edits the course; the notebooks never import it.
"""
from __future__ import annotations

import argparse
import json
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

GLOSSARY = Path(__file__).with_name("glossary.toml")
SOLUTIONS = Path(__file__).resolve().parent.parent / "solutions"
TABLE_START = "| English | 한국어"
FULL_GLOSSARY = "00"


@dataclass(frozen=True)
class Term:
    en: str
    ko: str
    chapters: tuple[str, ...]
    meaning: str = ""
    note: str = ""
    rejected: tuple[str, ...] = ()


def load(path: Path = GLOSSARY) -> list[Term]:
    """The terms of the glossary file, checked: unique English and Korean terms, known fields."""
    with open(path, "rb") as file:
        entries = tomllib.load(file).get("term", [])
    terms, fields = [], set(Term.__dataclass_fields__)
    for number, entry in enumerate(entries, start=1):
        unknown = set(entry) - fields
        if unknown or not {"en", "ko", "chapters"} <= set(entry):
            raise ValueError(f"{path.name}, term {number} ({entry.get('en', '?')}): needs en, ko "
                             f"and chapters; unknown fields {sorted(unknown)}")
        term = Term(**{**entry, "chapters": tuple(entry["chapters"]),
                       "rejected": tuple(entry.get("rejected", ()))})
        if FULL_GLOSSARY in term.chapters and not term.meaning:
            raise ValueError(f"{path.name}: {term.en!r} is in the table of 00 but has no meaning")
        terms.append(term)
    for term in terms:
        clashes = [v for v in term.rejected for other in terms if v in other.ko]
        if clashes:
            raise ValueError(f"{path.name}: {term.en!r} rejects {clashes}, which a term uses")
    for field in ("en", "ko"):
        values = [getattr(term, field) for term in terms]
        repeated = sorted({value for value in values if values.count(value) > 1})
        if repeated:
            raise ValueError(f"{path.name}: the same {field} for two ideas: {repeated}")
    return terms


def chapter_of(notebook: Path) -> str:
    """The chapter number a notebook's file name starts with, e.g. "03"."""
    return notebook.name.split("_", 1)[0]


def table(terms: list[Term], chapter: str) -> list[str]:
    """The markdown lines of one chapter's table (the full glossary with meanings for 00)."""
    mine = [term for term in terms if chapter in term.chapters]
    if chapter == FULL_GLOSSARY:
        rows = [[t.en, t.ko, f"{t.meaning} ({t.note})" if t.note else t.meaning] for t in mine]
        header = ["English", "한국어", "meaning"]
    elif any(term.note for term in mine):
        rows = [[t.en, t.ko, t.note] for t in mine]
        header = ["English", "한국어", "note"]
    else:
        rows = [[t.en, t.ko] for t in mine]
        header = ["English", "한국어"]
    lines = [header, ["---"] * len(header), *rows]
    return ["| " + " | ".join(cells) + " |" for cells in lines]


def _table_span(lines: list[str]) -> tuple[int, int] | None:
    """(first, end) line indices of the table in a cell's lines, or None."""
    for first, line in enumerate(lines):
        if line.startswith(TABLE_START):
            end = first
            while end < len(lines) and lines[end].startswith("|"):
                end += 1
            return first, end
    return None


def without_tables(source: str) -> str:
    """A cell's text with its term table left out (the table may name rejected variants)."""
    lines = source.split("\n")
    span = _table_span(lines)
    return source if span is None else "\n".join(lines[:span[0]] + lines[span[1]:])


def rejected_uses(notebook: Path, terms: list[Term]) -> list[str]:
    """Every use of a rejected Korean variant in `notebook` outside its table, one line each."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    found = []
    for index, cell in enumerate(cells):
        text = without_tables(_source(cell))
        for term in terms:
            found += [f"{notebook.name}, cell {index}: {variant!r} for {term.en!r}; the course "
                      f"says {term.ko!r}" for variant in term.rejected if variant in text]
    return found


def regenerate(notebook: Path, terms: list[Term], write: bool = True) -> bool:
    """Put the generated table into `notebook`; return True if it was different.

    The file is edited as JSON, so that everything but the table's lines stays byte for byte as
    it was (key order and layout included), whoever wrote the file last.
    """
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    wanted = table(terms, chapter_of(notebook))
    cells = [cell for cell in nb["cells"] if cell["cell_type"] == "markdown"
             and _table_span(_source(cell).split("\n"))]
    if len(cells) != 1:
        raise ValueError(f"{notebook}: expected one markdown cell with a line starting "
                         f"{TABLE_START!r}, found {len(cells)}")
    cell = cells[0]
    lines = _source(cell).split("\n")
    first, end = _table_span(lines)
    if lines[first:end] == wanted:
        return False
    if len(wanted) == 2:
        raise ValueError(f"{notebook}: no term of the glossary names chapter {chapter_of(notebook)}")
    cell["source"] = "\n".join(lines[:first] + wanted + lines[end:]).splitlines(keepends=True)
    if write:
        notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return True


def _source(cell: dict) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def notebooks(root: Path = SOLUTIONS) -> list[Path]:
    return sorted(root.glob("*/*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 on a difference")
    parser.add_argument("--solutions", type=Path, default=SOLUTIONS)
    parser.add_argument("chapters", nargs="*", help="chapter numbers, e.g. 00 03 (default: all)")
    args = parser.parse_args(argv)
    terms = load()
    chosen = [nb for nb in notebooks(args.solutions)
              if not args.chapters or chapter_of(nb) in args.chapters]
    changed = [nb for nb in chosen if regenerate(nb, terms, write=not args.check)]
    for notebook in changed:
        print(f"{'differs' if args.check else 'rewrote'}: {notebook}")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
