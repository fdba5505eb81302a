"""Translated editions of the notebooks: gettext catalogs in, `solutions/<name>_ko/` out.

    python -m course_lib.grading translate extract [NAME ...]   # refresh translations/ko/*.po
    python -m course_lib.grading translate check [NAME ...]     # list stale or missing entries
    python -m course_lib.grading translate build [NAME ...]     # write solutions/<name>_ko/
    python -m course_lib.grading.translation ...                # the same, without nbgrader_config

The English notebook `solutions/<name>/<name>.ipynb` stays the one source of code, tests and
structure. A chapter has a Korean edition when `translations/ko/<name>.po` exists; `build` makes
`solutions/<name>_ko/<name>_ko.ipynb` from the two, and nbgrader releases that folder as an
assignment of its own (`instructor release`), so the gradebook keeps the languages apart while
the grade ids inside stay the same.

What a catalog translates, one gettext entry per unit, `msgctxt` = the nbformat cell id:

- a markdown cell, whole (its term table, generated from course_lib/glossary.toml, stands as the
  line GLOSSARY_PLACEHOLDER in both languages; `build` puts the generated table back);
- in a code cell, each comment, and each string literal that is shown to the student: the text
  of `print`, of plot titles, labels and legends, of `assert` messages and raised
  AssertionErrors, and what the checks of course_lib.checks quote in their messages (a case's
  description, the label of what is compared; hidden tests included).
  The msgid is the literal as written (quotes, `f` prefix and all) and so is the translation.
  What lies between nbgrader's solution markers is the instructor's and is not translated.

The English text itself is the msgid: it is the record of what was translated. Translators' tools
(Poedit, Lokalize, Weblate, msgmerge) show it beside the translation, reuse it as translation
memory and, when it changes, mark the entry fuzzy with the old text kept as `#| msgid`: exactly
what `extract` does here. A hash in a comment would say only "changed", and no tool reads it.

An entry is *stale* when its msgid is no longer the English text, or it is marked fuzzy (the
English changed and nobody has revised the translation); *missing* when a unit has no entry or
an empty one. `check` and tests/test_translation.py fail on either, and `build` refuses to write.
Code cells come out token for token as in English apart from the translated comments and
strings (`same_code` is what the tests compare).
"""
from __future__ import annotations

import argparse
import ast
import copy
import difflib
import inspect
import io
import re
import sys
import tokenize
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from babel.messages.catalog import Catalog
from babel.messages.pofile import normalize, read_po, unescape, write_po

from course_lib import checks, glossary

ROOT = Path(__file__).resolve().parents[2]
LANGUAGE = "ko"
SUFFIX = f"_{LANGUAGE}"
TRANSLATIONS = ROOT / "translations" / LANGUAGE
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
NBGRADER_MARKERS = SOLUTION_MARKERS + HIDDEN_MARKERS
GLOSSARY_PLACEHOLDER = "<!-- term table: generated from course_lib/glossary.toml -->"
# Calls whose string arguments the student reads, and keyword arguments that are always text.
DISPLAY_CALLS = {"print", "title", "suptitle", "xlabel", "ylabel", "set_title", "set_xlabel",
                 "set_ylabel", "set_label", "text", "annotate", "legend"}
DISPLAY_KEYWORDS = {"label", "title", "xlabel", "ylabel", "text", "s"}
# The functions of course_lib.checks quote these parameters in their failure messages (a case's
# description, the label of what is compared, `returned=(index, label)`, a hint), as does a raised
# AssertionError. Read from their signatures: a string in another place of a test cell (an input,
# the name of a function) is code, and so is every string of a notebook's own check_ helpers.
SHOWN_PARAMETERS = {"description", "what", "hint", "part", "returned"}


def _shown_parameters(function) -> tuple[set[int], set[str]]:
    """The positions and keywords of `function`'s parameters that its messages quote."""
    parameters = list(inspect.signature(function).parameters.values())
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return ({i for i, p in enumerate(positional) if p.name in SHOWN_PARAMETERS},
            {p.name for p in parameters if p.name in SHOWN_PARAMETERS})


CHECK_CALLS = {name: _shown_parameters(getattr(checks, name)) for name in checks.__all__
               if inspect.isfunction(getattr(checks, name))
               and SHOWN_PARAMETERS & set(inspect.signature(getattr(checks, name)).parameters)}
# Fuzzy matching for `extract`: how alike an old and a new comment of one cell must be to carry
# the old translation over (marked fuzzy) rather than start empty. difflib's ratio, as msgmerge.
SIMILAR = 0.6


class TranslationError(ValueError):
    """A catalog that cannot make a faithful Korean notebook: the message lists every problem."""


@dataclass(frozen=True)
class Unit:
    """One translatable piece of an English notebook."""

    context: str      # the cell id
    msgid: str        # the English text
    kind: str         # "markdown", "comment" or "string"
    span: tuple[int, int, int, int] | None = None  # code units: (line, col, end line, end col),
                                                   # lines from 1, columns in characters


# -- reading a code cell ----------------------------------------------------------------------------

def _region_lines(source: str) -> set[int]:
    """Line numbers (from 1) of the lines between solution markers, markers excluded."""
    inside, lines = False, set()
    for number, line in enumerate(source.split("\n"), start=1):
        stripped = line.strip()
        if stripped == SOLUTION_MARKERS[0]:
            inside = True
        elif stripped == SOLUTION_MARKERS[1]:
            inside = False
        elif inside:
            lines.add(number)
    return lines


def _parse(source: str, cell_id: str) -> ast.Module:
    try:
        return ast.parse(source)
    except SyntaxError as error:
        raise TranslationError(f"cell {cell_id}: not plain Python ({error.msg}, line "
                               f"{error.lineno}); it cannot be compared or translated") from error


def _char_col(lines: list[str], line: int, byte_col: int) -> int:
    """The character column of a UTF-8 byte column (ast counts bytes, strings characters)."""
    return len(lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8"))


def _display_nodes(tree: ast.Module) -> list[ast.expr]:
    """The string literals of a cell that are shown to the student (see DISPLAY_CALLS)."""
    found = []
    for node in ast.walk(tree):
        candidates = []
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            positions, keywords = CHECK_CALLS.get(name, (set(), set()))
            if name in DISPLAY_CALLS or name == "AssertionError":
                candidates += node.args
            candidates += [arg for i, arg in enumerate(node.args) if i in positions]
            candidates += [kw.value for kw in node.keywords
                           if kw.arg in DISPLAY_KEYWORDS or kw.arg in keywords]
        elif isinstance(node, ast.Assert) and node.msg is not None:
            candidates.append(node.msg)
        found += [text for c in candidates for text in _texts_in(c)]
    return found


def _texts_in(node: ast.expr) -> list[ast.expr]:
    """The string literals of a shown value.

    The value itself, the parts of a `+` of strings that have a letter, both branches of a
    conditional expression, the strings of a tuple such as `returned=(0, "the loss")`.
    """
    if _is_text(node):
        return [node]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [part for part in _texts_in(node.left) + _texts_in(node.right)
                if not isinstance(part, ast.Constant) or any(c.isalpha() for c in part.value)]
    if isinstance(node, ast.IfExp):
        return _texts_in(node.body) + _texts_in(node.orelse)
    if isinstance(node, ast.Tuple):
        return [element for element in node.elts if _is_text(element)]
    return []


def _is_text(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant)
                                                and isinstance(node.value, str))


def _string_spans(source: str, tree: ast.Module) -> list[tuple[int, int, int, int]]:
    lines = source.split("\n")
    return sorted((node.lineno, _char_col(lines, node.lineno, node.col_offset), node.end_lineno,
                   _char_col(lines, node.end_lineno, node.end_col_offset))
                  for node in _display_nodes(tree))


def _tokens(source: str, cell_id: str) -> list[tokenize.TokenInfo]:
    try:
        return list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError) as error:
        raise TranslationError(f"cell {cell_id}: cannot be tokenized ({error})") from error


def _segment(lines: list[str], span: tuple[int, int, int, int]) -> str:
    line, col, end_line, end_col = span
    if line == end_line:
        return lines[line - 1][col:end_col]
    return "\n".join([lines[line - 1][col:], *lines[line:end_line - 1], lines[end_line - 1][:end_col]])


def code_units(cell) -> list[Unit]:
    """The comments and student-facing strings of a code cell, outside solution regions."""
    source = cell.source
    tree, lines, solution = _parse(source, cell.id), source.split("\n"), _region_lines(source)
    units = [Unit(cell.id, token.string, "comment", (*token.start, *token.end))
             for token in _tokens(source, cell.id) if token.type == tokenize.COMMENT
             and token.start[0] not in solution and token.string.strip() not in NBGRADER_MARKERS]
    units += [Unit(cell.id, _segment(lines, span), "string", span)
              for span in _string_spans(source, tree) if span[0] not in solution]
    return sorted(units, key=lambda unit: unit.span)


def same_code(english: str, translated: str, cell_id: str = "?") -> list[str]:
    """How `translated` differs from `english` in more than comments and student-facing strings.

    Both are tokenized; comments (but nbgrader's markers) are dropped and every display string
    becomes one placeholder token, so that the rest must match token for token: names, numbers,
    operators, other strings, the order of statements and where the markers stand.
    """
    first, second = _skeleton(english, cell_id), _skeleton(translated, cell_id)
    if first == second:
        return []
    matcher = difflib.SequenceMatcher(a=first, b=second, autojunk=False)
    tag, i1, i2, j1, j2 = next(op for op in matcher.get_opcodes() if op[0] != "equal")
    return [f"cell {cell_id}: the code differs from English beyond comments and shown text: "
            f"English has {' '.join(first[i1:i2 + 1][:6]) or 'nothing'!r} where the translation "
            f"has {' '.join(second[j1:j2 + 1][:6]) or 'nothing'!r}"]


def _skeleton(source: str, cell_id: str) -> list[str]:
    spans = _string_spans(source, _parse(source, cell_id))
    skeleton, covered = [], None
    for token in _tokens(source, cell_id):
        if token.type == tokenize.COMMENT and token.string.strip() not in NBGRADER_MARKERS:
            continue
        span = next((s for s in spans if s[:2] <= token.start < s[2:]), None)
        if span is not None:
            if span != covered:
                skeleton.append("<shown text>")
            covered = span
            continue
        covered = None
        skeleton.append(token.string if token.type != tokenize.NL else "\n")
    return skeleton


def _replace(source: str, replacements: list[tuple[tuple[int, int, int, int], str]]) -> str:
    """`source` with each span replaced, applied from the end so that spans stay valid."""
    lines = source.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    text = source
    for (line, col, end_line, end_col), new in sorted(replacements, reverse=True):
        text = text[:offsets[line - 1] + col] + new + text[offsets[end_line - 1] + end_col:]
    return text


# -- the units of a notebook -------------------------------------------------------------------------

def collapse_table(text: str) -> str:
    """A markdown cell's text with its term table as one placeholder line."""
    lines = text.split("\n")
    span = glossary._table_span(lines)
    if span is None:
        return text
    return "\n".join(lines[:span[0]] + [GLOSSARY_PLACEHOLDER] + lines[span[1]:])


def units_of(nb) -> list[Unit]:
    units = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            units.append(Unit(cell.id, collapse_table(cell.source), "markdown"))
        elif cell.cell_type == "code":
            units += code_units(cell)
    return units


def english_notebook(name: str, root: Path = ROOT) -> Path:
    return root / "solutions" / name / f"{name}.ipynb"


def translated_notebook(name: str, root: Path = ROOT) -> Path:
    return root / "solutions" / f"{name}{SUFFIX}" / f"{name}{SUFFIX}.ipynb"


def catalog_path(name: str, root: Path = ROOT) -> Path:
    return root / "translations" / LANGUAGE / f"{name}.po"


def translated_names(root: Path = ROOT) -> list[str]:
    """The chapters that have a catalog, hence a Korean edition."""
    folder = root / "translations" / LANGUAGE
    return sorted(p.stem for p in folder.glob("*.po")) if folder.is_dir() else []


def read_catalog(path: Path) -> Catalog:
    with open(path, "rb") as file:
        catalog = read_po(file, locale=LANGUAGE)
    # Babel writes the previous msgid of a fuzzy entry (`#| msgid`) but does not read it back
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = block.split("\n")
        if block.startswith("#~") or not any(line.startswith("#| msgid") for line in lines):
            continue
        fields: dict[str, str] = {}
        for line in lines:
            key = re.match(r"^(#\| msgid|msgctxt|msgid|msgstr)\b", line)
            if key:
                current = key.group(1)
            if key or line.startswith(('"', '#| "')):
                fields[current] = fields.get(current, "") + "".join(
                    unescape(piece) for piece in re.findall(r'"(?:[^"\\]|\\.)*"', line))
        message = catalog.get(fields.get("msgid", ""), fields.get("msgctxt"))
        if message is not None:
            message.previous_id = [fields["#| msgid"]]
    return catalog


def write_catalog(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    for message in catalog:
        # Babel flags text with a % (e.g. "20 %") or braces (LaTeX, f-strings) as Python format
        # strings, and msgfmt would then compare them as such. No text here is %- or
        # str.format-ed; the {…} fields of f-strings are compared by `_malformed` instead.
        message.flags -= {"python-format", "python-brace-format"}
    buffer = io.BytesIO()
    # Babel would wrap a previous msgid as prose, cutting its strings; it goes in as gettext does
    write_po(buffer, catalog, width=0, include_previous=False)
    text = buffer.getvalue().decode("utf-8")
    for message in catalog:
        if message.id and message.previous_id:
            entry = (f"msgctxt {normalize(message.context, width=0)}\n"
                     f"msgid {normalize(message.id, width=0)}\n")
            previous = f"#| msgid {normalize(message.previous_id[0], prefix='#| ', width=0)}\n"
            text = text.replace(entry, previous + entry, 1)
    path.write_text(text, encoding="utf-8")


_KIND_NOTES = {"markdown": "markdown cell",
               "comment": "code comment: one line starting with #",
               "string": "text shown to the student: a Python string literal; keep the quotes, "
                         "the f prefix and every {…} field"}


def extract(name: str, root: Path = ROOT) -> Catalog:
    """The catalog of `name` brought up to date with the English notebook, as msgmerge does.

    Kept: every translation whose English is unchanged. Changed English: the old translation is
    kept but marked fuzzy, with the old English as previous msgid. New units start empty. Units
    that disappeared go to the obsolete section (`#~`), where a translator can still find them.
    """
    nb = nbformat.read(english_notebook(name, root), as_version=4)
    path = catalog_path(name, root)
    old = read_catalog(path) if path.exists() else None
    catalog = Catalog(locale=LANGUAGE, project=f"dl-foundations {name}", version="1", fuzzy=False,
                      header_comment=f"# Korean text of solutions/{name}/{name}.ipynb, one entry "
                      f"per cell (msgctxt: the cell id).\n# After editing: python -m "
                      f"course_lib.grading.translation build {name}",
                      msgid_bugs_address="the course's issue tracker",
                      creation_date=old.creation_date if old else datetime.now(timezone.utc),
                      revision_date=old.revision_date if old else datetime.now(timezone.utc),
                      language_team="Korean",
                      last_translator=old.last_translator if old else "the course's translators")
    unused = {} if old is None else {(m.id, m.context): m for m in old if m.id}
    for unit in units_of(nb):
        if catalog.get(unit.msgid, unit.context) is not None:
            continue  # the same comment twice in a cell: one entry
        note = [_KIND_NOTES[unit.kind]]
        kept = unused.pop((unit.msgid, unit.context), None)
        if kept is not None:
            catalog.add(unit.msgid, kept.string, flags=kept.flags, auto_comments=note,
                        user_comments=kept.user_comments, previous_id=kept.previous_id,
                        context=unit.context)
            continue
        candidates = [m for m in unused.values() if m.context == unit.context and m.string]
        ratio = {m.id: difflib.SequenceMatcher(a=m.id, b=unit.msgid).ratio() for m in candidates}
        best = max(candidates, key=lambda m: ratio[m.id], default=None)
        if best is not None and (unit.kind == "markdown" or ratio[best.id] >= SIMILAR):
            del unused[(best.id, best.context)]
            catalog.add(unit.msgid, best.string, flags={"fuzzy"}, auto_comments=note,
                        user_comments=best.user_comments, previous_id=[best.id],
                        context=unit.context)
        else:
            catalog.add(unit.msgid, "", auto_comments=note, context=unit.context)
    for message in unused.values():
        if message.string:
            catalog.obsolete[(message.id, message.context)] = message
    return catalog


# -- checking and building ---------------------------------------------------------------------------

def problems(name: str, root: Path = ROOT) -> list[str]:
    """Every stale, missing or malformed entry of the catalog of `name`, one line each."""
    nb = nbformat.read(english_notebook(name, root), as_version=4)
    catalog = read_catalog(catalog_path(name, root))
    found, units = [], units_of(nb)
    wanted = {(unit.msgid, unit.context) for unit in units}
    by_context: dict[str, list] = {}
    for message in catalog:
        if message.id:
            by_context.setdefault(message.context, []).append(message)
    for unit in units:
        message = catalog.get(unit.msgid, unit.context)
        where = f"{name}, cell {unit.context} ({unit.kind})"
        if message is None:
            old = [m for m in by_context.get(unit.context, []) if (m.id, m.context) not in wanted]
            state = "stale: the English changed since it was translated" if old else "missing"
            found.append(f"{where}: {state}: {_short(unit.msgid)}")
        elif not message.string:
            found.append(f"{where}: missing: {_short(unit.msgid)}")
        elif message.fuzzy:
            found.append(f"{where}: stale (fuzzy): the English changed; revise the translation "
                         f"and remove the fuzzy flag: {_short(unit.msgid)}")
        else:
            found += [f"{where}: {error}" for error in _malformed(unit, message.string)]
    return found


def _short(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= 70 else text[:67] + "...")


def _markers(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip() in NBGRADER_MARKERS
            or line.strip() == GLOSSARY_PLACEHOLDER]


def _malformed(unit: Unit, translation: str) -> list[str]:
    if unit.kind == "markdown":
        if _markers(translation) != _markers(unit.msgid):
            return [f"the translation must keep the lines {_markers(unit.msgid)} as they are"]
        return []
    if unit.kind == "comment":
        if not translation.startswith("#") or "\n" in translation:
            return ["a comment translates to one line starting with #"]
        return []
    try:
        # in parentheses: a literal written over several lines is one implicit concatenation
        english, korean = (ast.parse(f"({text}\n)", mode="eval").body
                           for text in (unit.msgid, translation))
    except SyntaxError:
        return [f"not a Python string literal: {translation!r}"]
    if not _is_text(korean) or type(korean) is not type(english):
        return [f"must be a string literal of the same kind as {unit.msgid!r}: {translation!r}"]
    if _fields(english) != _fields(korean):
        return [f"must use the same {{…}} fields as the English {unit.msgid!r}: {translation!r}"]
    return []


def _fields(node: ast.expr) -> Counter:
    return Counter(ast.dump(value) for value in ast.walk(node)
                   if isinstance(value, ast.FormattedValue))


def translate(name: str, root: Path = ROOT):
    """The Korean notebook of `name` (a new nbformat node); TranslationError if incomplete."""
    errors = problems(name, root)
    if errors:
        raise TranslationError(f"translations/{LANGUAGE}/{name}.po cannot make a complete Korean "
                               f"edition ({len(errors)} problems):\n" + "\n".join(errors))
    english = nbformat.read(english_notebook(name, root), as_version=4)
    catalog = read_catalog(catalog_path(name, root))
    table = glossary.table(glossary.load(), glossary.chapter_of(english_notebook(name, root)))
    nb = copy.deepcopy(english)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            text = catalog.get(collapse_table(cell.source), cell.id).string
            cell.source = text.replace(GLOSSARY_PLACEHOLDER, "\n".join(table))
        elif cell.cell_type == "code":
            cell.source = _replace(cell.source, [
                (unit.span, catalog.get(unit.msgid, unit.context).string)
                for unit in code_units(cell)])
            # the build's own guarantee; the tests check the files in the repository again
            differences = same_code(english_cell(english, cell.id).source, cell.source, cell.id)
            if differences:
                raise TranslationError("\n".join(differences))
    nb.metadata["course"] = {"language": LANGUAGE, "translated_from": name}
    return nb


def english_cell(nb, cell_id: str):
    return next(cell for cell in nb.cells if cell.id == cell_id)


def build(name: str, root: Path = ROOT) -> Path:
    path = translated_notebook(name, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(translate(name, root), path)
    return path


ACTIONS = ("extract", "build", "check")


def run(action: str, names: list[str], root: Path = ROOT) -> int:
    """Do `action` for `names` (default: every chapter with a catalog); the exit status."""
    names = names or translated_names(root)
    unknown = [n for n in names if not english_notebook(n, root).is_file()]
    if unknown:
        print(f"error: no English notebook solutions/<name>/<name>.ipynb for {', '.join(unknown)}",
              file=sys.stderr)
        return 2
    status = 0
    for name in names:
        if action == "extract":
            write_catalog(extract(name, root), catalog_path(name, root))
            print(f"updated {catalog_path(name, root).relative_to(root)}")
        elif action == "check":
            errors = problems(name, root)
            print("\n".join(errors) if errors else f"{name}: complete")
            status = status or (1 if errors else 0)
        else:
            try:
                path = build(name, root)
            except TranslationError as error:
                print(error, file=sys.stderr)
                status = 1
                continue
            print(f"wrote {path.relative_to(root)}")
    return status


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=ACTIONS, help="extract: refresh translations/ko/*.po "
                        "from the English notebooks; check: list stale or missing entries; "
                        "build: write solutions/<name>_ko/")
    parser.add_argument("names", nargs="*", metavar="NAME", help="chapters, e.g. "
                        "11_initialization (default: every chapter with a catalog)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    parser.add_argument("--root", type=Path, default=ROOT, help="the course folder")
    args = parser.parse_intermixed_args(argv)
    return run(args.action, args.names, args.root)


if __name__ == "__main__":
    sys.exit(main())
