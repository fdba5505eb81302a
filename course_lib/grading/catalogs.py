"""The gettext catalogs of the checks' and the grading system's texts: extract, compile, check.

    python -m course_lib.grading messages extract   # the code's texts into each .po (as msgmerge)
    python -m course_lib.grading messages compile   # each .po into the .mo that gettext reads
    python -m course_lib.grading messages check     # untranslated, fuzzy, unused, out of date
    python -m course_lib.grading.catalogs ...       # the same, without nbgrader_config

Two catalogs (gettext domains), one per house:

- `course_lib`: the teaching library's texts (course_lib/ but grading/), those of
  `course_lib.checks` and `course_lib.failure_display`; read by course_lib.language;
- `course_grading`: the grading system's (course_lib/grading/); read by course_lib.grading.language.

A text is marked in the code with `_("...")`, or `N_("...")` for a constant translated where it
is shown; Babel's Python extractor finds them. Fields are written `{name}` and filled with
`str.format` after translation, so that a translation may put them in another order; it must use
the same fields, no more and no fewer (a Korean message shows exactly what the English one shows:
nothing a hidden test keeps back). `extract` keeps every translation whose English is unchanged,
marks one whose English changed fuzzy (the old English kept as the previous msgid) and moves the
texts no longer in the code to the obsolete section, as msgmerge does. `check`, and
tests/test_messages.py, fail on an entry that is missing, empty, fuzzy, unused or with other
fields, and on a .mo that is not what its .po compiles to.
"""
from __future__ import annotations

import argparse
import ast
import io
import string
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from course_lib.grading import language as grading_language
from course_lib.language import DOMAIN as LIBRARY_DOMAIN
from course_lib.language import KOREAN
from course_lib.language import LOCALE_DIR as LIBRARY_LOCALE_DIR

PACKAGE = Path(__file__).resolve().parents[1]  # course_lib/
KEYWORDS = {"_": None, "N_": None}
TRANSLATED = (KOREAN,)


@dataclass(frozen=True)
class Domain:
    """One catalog: the folder whose Python files hold its texts and where its translations live."""

    name: str
    sources: Path
    ignored: tuple[str, ...]  # folders of `sources` that belong to another domain
    locale_dir: Path

    def po_path(self, language: str) -> Path:
        return self.locale_dir / language / "LC_MESSAGES" / f"{self.name}.po"

    def mo_path(self, language: str) -> Path:
        return self.po_path(language).with_suffix(".mo")


DOMAINS = (Domain(LIBRARY_DOMAIN, PACKAGE, ("grading",), LIBRARY_LOCALE_DIR),
           Domain(grading_language.DOMAIN, PACKAGE / "grading", (), grading_language.LOCALE_DIR))


def template(domain: Domain) -> Catalog:
    """Every text the code of `domain` marks, with the files it is in."""
    method_map = [(f"{folder}/**.py", "ignore") for folder in domain.ignored]
    method_map.append(("**.py", "python"))
    catalog = Catalog(domain=domain.name, project="dl-foundations", fuzzy=False)
    for path, line, message, comments, context in extract_from_dir(
            domain.sources, method_map, keywords=KEYWORDS, comment_tags=("Translators:",)):
        catalog.add(message, None, [(f"{domain.sources.name}/{path}", line)],
                    auto_comments=comments, context=context)
    return catalog


def marked_texts(domain: Domain) -> list[tuple[str, str]]:
    """(file, text) of every `_("...")` and `N_("...")` in the code of `domain`, read with ast.

    Babel's extractor misses a mark inside an f-string or inside another mark's call; `problems`
    names the texts it missed, so that none stays English unnoticed.
    """
    found = []
    for path in sorted(domain.sources.rglob("*.py")):
        relative = path.relative_to(domain.sources)
        if relative.parts[0] in domain.ignored:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in KEYWORDS and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                found.append((f"{domain.sources.name}/{relative}", node.args[0].value))
    return found


def read_catalog(path: Path) -> Catalog:
    with open(path, "rb") as stream:
        return read_po(stream, locale=path.parents[1].name)


def po_text(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    # no line numbers: they would change the catalog at every edit of the code
    write_po(buffer, catalog, width=100, include_lineno=False, include_previous=True)
    return buffer.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    """What gettext reads: the .mo that `catalog` compiles to (fuzzy entries left out)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def extract(domain: Domain, language: str) -> Path:
    """Bring the .po of `domain` in `language` up to date with the code (made if missing)."""
    path = domain.po_path(language)
    fresh = template(domain)
    if path.exists():
        catalog = read_catalog(path)
        created = catalog.creation_date
        catalog.update(fresh, update_header_comment=False)
        catalog.creation_date = created  # a date that changed at every extract says nothing
    else:
        catalog = Catalog(locale=language, domain=domain.name, project="dl-foundations",
                          version="1", fuzzy=False, language_team="Korean",
                          last_translator="the course's translators",
                          msgid_bugs_address="the course's issue tracker",
                          header_comment=f"# {language} texts of the {domain.name} catalog "
                          f"(course_lib.grading.catalogs).\n# After editing: python -m "
                          f"course_lib.grading.catalogs compile")
        catalog.update(fresh)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(po_text(catalog))
    return path


def compile_catalog(domain: Domain, language: str) -> Path:
    path = domain.mo_path(language)
    path.write_bytes(mo_bytes(read_catalog(domain.po_path(language))))
    return path


def fields(text: str) -> Counter:
    """The {fields} of a str.format text (ValueError for a text that is not one)."""
    return Counter(name for _text, name, _spec, _conversion in string.Formatter().parse(text)
                   if name is not None)


def _shown(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent) if path.is_relative_to(PACKAGE.parent) else path)


def problems(domain: Domain, language: str) -> list[str]:
    """Every entry of the catalog that gettext would not show as it should, one line each."""
    path = domain.po_path(language)
    if not path.exists():
        return [f"{path}: missing; run: messages extract"]
    catalog, wanted = read_catalog(path), template(domain)
    where = _shown(path)
    found = []
    for message in wanted:
        if not message.id:
            continue
        entry = catalog.get(message.id, message.context)
        short = repr(message.id if len(message.id) < 60 else message.id[:57] + "...")
        if entry is None:
            found.append(f"{where}: missing (run messages extract): {short}")
        elif not entry.string:
            found.append(f"{where}: not translated: {short}")
        elif entry.fuzzy:
            found.append(f"{where}: fuzzy: the English changed; revise the translation and remove "
                         f"the fuzzy flag: {short}")
        else:
            try:
                same = fields(entry.string) == fields(message.id)
            except ValueError as error:
                same, short = False, f"{short} ({error})"
            if not same:
                found.append(f"{where}: the translation must use the fields "
                             f"{sorted(fields(message.id))} of the English, no others: {short}")
    found += [f"{where}: not in the code any more (run messages extract): {m.id!r}"
              for m in catalog if m.id and wanted.get(m.id, m.context) is None]
    found += [f"{file}: Babel does not see {text!r}: mark it outside f-strings and other marks"
              for file, text in marked_texts(domain) if wanted.get(text) is None]
    mo = domain.mo_path(language)
    if not mo.exists() or mo.read_bytes() != mo_bytes(catalog):
        found.append(f"{_shown(mo)}: not what {path.name} compiles to; run: messages compile")
    return found


ACTIONS = ("extract", "compile", "check")


def run(action: str) -> int:
    status = 0
    for domain in DOMAINS:
        for language in TRANSLATED:
            if action == "extract":
                print(f"updated {extract(domain, language)}")
            elif action == "compile":
                print(f"wrote {compile_catalog(domain, language)}")
            else:
                found = problems(domain, language)
                print("\n".join(found) if found else f"{domain.name} ({language}): complete")
                status = status or (1 if found else 0)
    return status


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=ACTIONS, help="extract: the code's texts into each .po; "
                        "compile: each .po into its .mo; check: list what is not translated")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv).action)


if __name__ == "__main__":
    sys.exit(main())
