"""Tables, text and CSV for the comparison page (pandas only; no streamlit)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from figures.style import label
from optimizers import analysis

CONVENTIONS = (
    "Notation of the notes: φ are the parameters, α the learning rate, β and γ the decay of "
    "the first and second moments, ε guards the division. **Minibatches**: each epoch is a "
    "fresh shuffle, cut into batches drawn without replacement; a batch's gradient is the "
    "sum over its examples scaled by N/|B|, an unbiased estimate of the full gradient, so α "
    "means the same at every batch size and a batch of all N examples is exactly gradient "
    "descent. **Momentum** is the (1 − β) weighted *average* of past gradients. **Adam** "
    "corrects the bias of both moments by 1 − β^(t+1) and 1 − γ^(t+1) and puts ε outside "
    "the square root. GD always uses the full batch."
)


def results_table(cfg, landscape, runs: dict) -> pd.DataFrame:
    """One row per optimizer: its settings and what it reached."""
    rows = []
    for name, traj in runs.items():
        s = cfg.setting(name)
        row = {
            "optimizer": label(name),
            "α": s.lr,
            "batch": "full" if s.batch_size is None else str(s.batch_size),
        }
        row.update(analysis.summary(landscape, traj))
        rows.append(row)
    table = pd.DataFrame(rows).set_index("optimizer")
    for col in ("steps to tolerance", "diverged at"):
        table[col] = table[col].astype("Int64")
    return table


def diverged_messages(cfg, runs: dict) -> list[str]:
    out = []
    for name, traj in runs.items():
        step = int(traj.diverged)
        if step >= 0:
            s = cfg.setting(name)
            out.append(
                f"**{label(name)} diverged at step {step}** (α = {s.lr:.3g}): its run stopped "
                f"there, at its last finite point; the others carry on. Try a smaller α."
            )
    return out


def trajectories_csv(cfg, runs: dict) -> bytes:
    """Every trajectory in long form: optimizer, step, epoch, phi0, phi1, loss, lr.

    ``lr`` is the learning rate of the step taken from that point (blank at the last point).
    """
    frames = []
    for name, traj in runs.items():
        steps = np.arange(traj.points.shape[0])
        lrs = np.append(traj.lrs, np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "optimizer": name,
                    "step": steps,
                    "epoch": traj.epochs,
                    "phi0": traj.points[:, 0],
                    "phi1": traj.points[:, 1],
                    "loss": traj.losses,
                    "lr": lrs,
                }
            )
        )
    return pd.concat(frames, ignore_index=True).to_csv(index=False).encode()


def explain(cfg, landscape, table: pd.DataFrame) -> str:
    """Sentences on who got closest, telling the global minimum from a local one."""
    if table.empty:
        return ""
    ok = table[table["diverged at"].isna()]
    if ok.empty:
        return "Every optimizer diverged: lower α."
    best = ok["final loss"].idxmin()
    tol = analysis.default_tolerance(landscape)
    text = f"Lowest final loss: **{best}** ({ok.loc[best, 'final loss']:.3g})."
    reached = ok["steps to global minimum"].dropna()
    if not reached.empty:
        fastest = reached.idxmin()
        text += (
            f" First within {tol:.2g} of the global minimum: **{fastest}**, "
            f"after {int(reached.min())} steps."
        )
    else:
        text += f" None came within {tol:.2g} of the global minimum in {cfg.steps} steps."
    local = ok[(ok["distance"] <= tol) & ok["nearest minimum"].str.startswith("local")]
    if not local.empty:
        names = list(local.index)
        who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        text += (
            f" {who} ended in a local minimum (loss {local['final loss'].min():.3g}; the "
            f"global minimum's is {landscape.global_minimum.loss:.3g})."
        )
    return text
