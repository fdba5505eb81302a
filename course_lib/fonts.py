"""A font with Hangul for the plots, so that Korean titles and labels are not drawn as boxes.

matplotlib's default font, DejaVu Sans, has no Hangul. `use_hangul_font` (called when
`course_lib.plotting` is imported) appends the first installed Korean font of KOREAN_FONTS to
matplotlib's font families: Latin letters, digits and the minus sign still come from the default
(DejaVu Sans), and matplotlib takes every glyph the default lacks from the Korean font.

Where none is installed, one warning says what to install:

    sudo apt-get install fonts-nanum        # Debian, Ubuntu (what .ci/run installs)

or any font of KOREAN_FONTS (Noto Sans CJK KR, for example). Windows (Malgun Gothic) and macOS
(Apple SD Gothic Neo) ship one already.
"""
from __future__ import annotations

import warnings
from pathlib import Path

# Families with Hangul, the course's choice first; file name stems that hold them, for a font
# installed after matplotlib built its font cache.
KOREAN_FONTS = ("NanumGothic", "Noto Sans CJK KR", "Noto Sans KR", "Malgun Gothic",
                "Apple SD Gothic Neo", "AppleGothic", "UnDotum")
KOREAN_FONT_FILES = ("NanumGothic", "NotoSansCJK", "NotoSansKR", "malgun", "AppleSDGothicNeo",
                     "AppleGothic", "UnDotum")
INSTALL_HINT = ("no font with Hangul is installed, so Korean text in plots shows as boxes. "
                "Install one and restart the kernel: `sudo apt-get install fonts-nanum` "
                "(Debian, Ubuntu), or any of course_lib.fonts.KOREAN_FONTS.")


class MissingHangulFont(UserWarning):
    """No font of KOREAN_FONTS is installed."""


def hangul_font() -> str | None:
    """The family name of an installed Korean font (KOREAN_FONTS order), or None."""
    from matplotlib import font_manager

    def installed() -> str | None:
        families = {entry.name for entry in font_manager.fontManager.ttflist}
        return next((family for family in KOREAN_FONTS if family in families), None)

    family = installed()
    if family is None:
        # matplotlib caches the list of fonts: one installed later is found by its file name
        for path in font_manager.findSystemFonts():
            if Path(path).name.startswith(KOREAN_FONT_FILES):
                font_manager.fontManager.addfont(path)
        family = installed()
    return family


def use_hangul_font() -> str | None:
    """Let matplotlib draw Hangul with an installed Korean font; return its name.

    Returns None, with a MissingHangulFont warning naming what to install, when there is none.
    """
    import matplotlib

    family = hangul_font()
    if family is None:
        warnings.warn(INSTALL_HINT, MissingHangulFont, stacklevel=2)
        return None
    families = [name for name in matplotlib.rcParams["font.family"] if name != family]
    matplotlib.rcParams["font.family"] = [*families, family]
    return family
