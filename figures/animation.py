"""Plotly animation controls shared by the animated figures: the arguments of Play, Pause and
a jump to one frame, and a step slider with one step per frame."""

from __future__ import annotations

from collections.abc import Sequence


def pause_args() -> list:
    """Pause: an empty animation, started now, stops the one playing."""
    return [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}]


def play_args(frames: Sequence[str] | None, duration: float, *, redraw: bool, fromcurrent: bool):
    """Play ``frames`` (None: all, in order), ``duration`` ms a frame, without transitions."""
    return [
        None if frames is None else list(frames),
        {
            "frame": {"duration": duration, "redraw": redraw},
            "mode": "immediate",
            "fromcurrent": fromcurrent,
            "transition": {"duration": 0},
        },
    ]


def jump_args(name: str, *, redraw: bool) -> list:
    """Show frame ``name`` at once."""
    return [
        [name],
        {
            "mode": "immediate",
            "frame": {"duration": 0, "redraw": redraw},
            "transition": {"duration": 0},
        },
    ]


def step_slider(
    names: Sequence[str], *, redraw: bool, labels: Sequence[str] | None = None, **placement
) -> dict:
    """A slider with a step per frame. Hundreds of tick labels would overlap, so they are
    hidden: the current value (``placement["currentvalue"]``) says which step is shown.
    ``labels`` are what it says (default: the frame names)."""
    labels = list(names) if labels is None else list(labels)
    steps = []
    for name, label in zip(names, labels, strict=True):
        step = dict(label=label, method="animate", args=jump_args(name, redraw=redraw))
        if label != name:
            step["value"] = name
        steps.append(step)
    return dict(
        font=dict(color="rgba(0,0,0,0)", size=8),
        ticklen=0,
        minorticklen=0,
        steps=steps,
        **placement,
    )
