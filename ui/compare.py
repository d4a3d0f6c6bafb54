"""Tables, text and CSV for the comparison page (pandas only; no streamlit)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from figures.style import label
from optimizers import analysis
from optimizers.rules import OWN_HYPER

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


# The optimizers' own hyperparameters (AdamW's weight_decay, NAdam's psi) follow eps: blank
# for an optimizer that does not take them.
OWN_COLUMNS = tuple(h.name for h in OWN_HYPER)
CSV_SETTINGS = ", ".join(
    ("start_phi0", "start_phi1", "alpha", "beta", "gamma", "eps", *OWN_COLUMNS)
    + ("batch_size", "seed", "noise", "schedule", "schedule_factor", "schedule_every")
    + ("schedule_final_fraction",)
)


def trajectories_csv(cfg, runs: dict) -> bytes:
    """Every trajectory in long form, one row per point, with the settings of its run.

    Columns: optimizer, step, epoch, steps_per_epoch, phi0, phi1, loss, lr, then the run's
    settings (``CSV_SETTINGS``), then diverged (true/false) and diverged_at (its step, else
    blank). ``lr`` is the learning rate of the step taken from that point (blank at the last
    point); ``alpha`` is the run's α before the schedule. ``epoch`` is the number of full
    passes over the N examples before that point: ``step // steps_per_epoch``. GD uses all N
    examples at every step, so for GD steps_per_epoch is 1 and epoch equals step; a minibatch
    optimizer takes N / batch_size steps per epoch. ``noise`` is blank on data landscapes.
    """
    kind, factor, every, final_fraction = cfg.schedule
    frames = []
    for name, traj in runs.items():
        s = cfg.setting(name)
        own = dict(cfg.run_spec(name).hyper)
        diverged_at = int(traj.diverged)
        frame = pd.DataFrame(
            {
                "optimizer": name,
                "step": np.arange(traj.points.shape[0]),
                "epoch": traj.epochs,
                "steps_per_epoch": traj.steps_per_epoch,
                "phi0": traj.points[:, 0],
                "phi1": traj.points[:, 1],
                "loss": traj.losses,
                "lr": np.append(traj.lrs, np.nan),
            }
        )
        settings = dict(
            start_phi0=cfg.start[0],
            start_phi1=cfg.start[1],
            alpha=s.lr,
            beta=s.beta,
            gamma=s.gamma,
            eps=s.eps,
            **{col: own.get(col, np.nan) for col in OWN_COLUMNS},
            batch_size=traj.batch_size,
            seed=cfg.seed,
            noise=np.nan if cfg.noise is None else cfg.noise,
            schedule=kind,
            schedule_factor=factor,
            schedule_every=every,
            schedule_final_fraction=final_fraction,
            diverged=diverged_at >= 0,
            diverged_at=diverged_at if diverged_at >= 0 else None,
        )
        frames.append(frame.assign(**settings))
    table = pd.concat(frames, ignore_index=True)
    table["diverged_at"] = table["diverged_at"].astype("Int64")
    return table.to_csv(index=False).encode()


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
