"""The front end every tool shares: the figure as a PNG, the buttons, Play/Pause, the readout."""
from __future__ import annotations

import base64
import html
import threading

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from course_lib.widgets.player import Player
from course_lib.widgets.png import png_bytes
from course_lib.widgets.readout import ERROR_COLOR

DPI = 80


class Tool(widgets.VBox):
    """What the three tools share: the buttons, Play/Pause, the readout and the PNG figure.

    A subclass builds `self.state`, draws it once in `_draw` (passing the artists that change
    from step to step to `_animate`) and moves those artists in `_update`; `_readout_html`
    describes the state in words and numbers.
    """

    frame_steps = 1       # steps per frame while playing
    play_interval = 0.05  # pause between frames, seconds

    def __init__(self, controls, figsize):
        super().__init__()
        # Constrained layout makes room for the tick labels on every full draw, e.g. when a
        # log axis grows from 1e0 to 1e-15.
        self.figure = Figure(figsize=figsize, dpi=DPI, layout="constrained")
        FigureCanvasAgg(self.figure)
        self.image = widgets.Image(format="png")
        self.readout = widgets.HTML()
        self.step_button = widgets.Button(description="Step", icon="step-forward")
        self.run_steps = widgets.BoundedIntText(value=50, min=1, max=100_000, description="N",
                                                layout=widgets.Layout(width="130px"),
                                                style={"description_width": "15px"})
        self.run_button = widgets.Button(description="Run N", icon="forward")
        self.play_button = widgets.Button(description="Play", icon="play")
        self.reset_button = widgets.Button(description="Reset", icon="undo")
        self._lock = threading.RLock()
        self._animated, self._background, self._background_key = [], None, None
        self._player = Player(f"{type(self).__name__} player")
        self.step_button.on_click(lambda _: self._advance(1))
        self.run_button.on_click(lambda _: self._advance(self.run_steps.value))
        self.play_button.on_click(lambda _: self.pause() if self.playing else self.play())
        self.reset_button.on_click(lambda _: self.reset())
        buttons = widgets.HBox([self.step_button, self.run_steps, self.run_button,
                                self.play_button, self.reset_button])
        self.children = [controls, buttons, self.image, self.readout]
        # CSS classes, so that browser tests (and course styles) can find each part.
        self.add_class("course-tool")
        self.add_class(f"course-{type(self).__name__}")
        self.image.add_class("course-figure")
        self.readout.add_class("course-readout")

    def _repr_mimebundle_(self, **kwargs):
        """The live widget, with its current picture as the fallback of a front end that cannot
        show widgets (a static viewer, a PDF export): one figure, never a second one beside it.
        """
        bundle = super()._repr_mimebundle_(**kwargs)
        if self.image.value:
            bundle["image/png"] = base64.b64encode(self.image.value).decode("ascii")
        return bundle

    # Subclasses fill these in.
    def _draw(self) -> None:
        raise NotImplementedError

    def _update(self) -> None:
        raise NotImplementedError

    def _readout_html(self) -> str:
        raise NotImplementedError

    def _guarded(self, action, *args) -> None:
        """Run `action` under the lock; show an exception in the readout instead of losing it
        in the kernel log (a student's network class may raise anything).
        """
        try:
            with self._lock:
                action(*args)
        except Exception as error:  # noqa: BLE001 - shown to the user, not hidden
            self._player.request_stop()
            self.readout.value = (f'<b style="color:{ERROR_COLOR}">error: '
                                  f'{html.escape(type(error).__name__)}: '
                                  f'{html.escape(str(error))}</b>')

    def _advance(self, n_steps: int) -> None:
        def advance():
            if self.state.running:
                self.state.run(n_steps)
            self.redraw()
        self._guarded(advance)

    def reset(self) -> None:
        """Stop playing, put the state back at its start and draw the figure afresh."""
        def reset_state():
            self.state.reset()
            return self.state
        self._rebuild(reset_state)

    def _rebuild(self, make_state, raise_errors: bool = False) -> None:
        """Replace the state after a control changed and draw the figure afresh.

        Errors (say, a bad setting) go to the readout, or to the caller with `raise_errors`.
        """
        self.pause()

        def rebuild():
            self.state = make_state()
            self.figure.clear()
            self._animated, self._background_key = [], None
            self._draw()
            self.redraw()
        if raise_errors:
            with self._lock:
                rebuild()
        else:
            self._guarded(rebuild)

    def _animate(self, *artists) -> None:
        """Mark artists that change every step: a full draw leaves them out, `_render` blits
        them.
        """
        for artist in artists:
            if artist is not None:
                artist.set_animated(True)
                self._animated.append(artist)

    def redraw(self) -> None:
        """Move the drawn artists to the current state, render the PNG, update the readout."""
        with self._lock:
            self._update()
            self.image.value = self._render()
            self.readout.value = self._readout_html()

    def _render(self) -> bytes:
        """The figure as PNG bytes: a full draw when an axis changed its limits or title, else
        the saved background with only the animated artists drawn on top.

        Text is what Agg draws slowest, so titles and legends stay in the background: titles
        change only when a run stops, and then the whole figure is drawn again.
        """
        canvas = self.figure.canvas
        key = [(ax.get_xlim(), ax.get_ylim(), ax.get_title(), ax.title.get_color())
               for ax in self.figure.axes]
        if key != self._background_key:
            canvas.draw()
            self._background, self._background_key = canvas.copy_from_bbox(self.figure.bbox), key
        else:
            canvas.restore_region(self._background)
        for artist in self._animated:
            self.figure.draw_artist(artist)
        return png_bytes(np.asarray(canvas.buffer_rgba())[:, :, :3])

    # Play / Pause
    @property
    def playing(self) -> bool:
        return self._player.playing

    def play(self) -> None:
        """Step and redraw in a background thread until paused or the state stops."""
        if self.playing:
            return
        self.play_button.description, self.play_button.icon = "Pause", "pause"
        self._player.start(self._play_frame, self.play_interval, self._show_play)

    def pause(self) -> None:
        """Stop playing and wait for the current frame to finish."""
        self._player.stop()
        self._show_play()

    def _play_frame(self) -> bool:
        if not self.state.running:
            return False
        self._advance(self.frame_steps)
        return True

    def _show_play(self) -> None:
        self.play_button.description, self.play_button.icon = "Play", "play"
