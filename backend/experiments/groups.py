"""Seed groups: runs of one setting repeated with several seeds, their bands and verdicts.

A run made by "Repeat with N seeds" carries `run["group"] = {"id": "group_2", "seed": 3,
"size": 5}`; every run with the same group id belongs to that group. `seed_groups(runs)` lists
the groups (oldest first) with a number and a name ("group 2"), `group_band(group)` gives
mean ± standard deviation per epoch of a curve for the Runs view, and
`compare_groups(a, b)` says in words whether the difference of the final validation figures
is larger than the spread across seeds, naming the test (Welch's t-test, see `stats`).

The figure compared is each run's `run_score`: the validation accuracy (or loss, when the
runs have no accuracy) of the weights the run kept, the same figure the Runs list shows.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from backend.experiments.stats import Summary, WelchResult, welch
from backend.project.runs import run_curves, run_score, sorted_runs

ALPHA = 0.05
_GROUP = re.compile(r"group_(\d{1,9})")


@dataclass
class SeedGroup:
    id: str  # "group_2"
    runs: list[dict] = field(default_factory=list)

    @property
    def number(self) -> int | None:
        match = _GROUP.fullmatch(self.id)
        return int(match.group(1)) if match else None

    @property
    def name(self) -> str:
        return f"group {self.number}" if self.number is not None else self.id

    @property
    def seeds(self) -> list[int]:
        return [r["group"].get("seed") for r in self.runs]

    def scores(self) -> tuple[str | None, list[float]]:
        """(metric, values) of the runs' kept weights; runs without a figure are left out."""
        scored = [s for s in (run_score(r) for r in self.runs) if s is not None]
        metric = "val_accuracy" if any(s.metric == "val_accuracy" for s in scored) else \
            "val_loss" if scored else None
        return metric, [s.value for s in scored if s.metric == metric]

    def summary(self) -> Summary:
        return Summary.of(self.scores()[1])


def group_of(run: dict) -> str | None:
    group = run.get("group")
    gid = group.get("id") if isinstance(group, dict) else None
    return gid if isinstance(gid, str) and gid else None


def seed_groups(runs: list[dict]) -> list[SeedGroup]:
    """The seed groups among `runs`, in the order their first runs were made."""
    groups: dict[str, SeedGroup] = {}
    for run in sorted_runs(runs):
        gid = group_of(run)
        if gid is not None:
            groups.setdefault(gid, SeedGroup(gid)).runs.append(run)
    return list(groups.values())


def next_group_id(runs: list[dict]) -> str:
    numbers = [int(m.group(1)) for m in (_GROUP.fullmatch(group_of(r) or "") for r in runs) if m]
    return f"group_{max(numbers, default=0) + 1}"


def group_tag(group_id: str, seed: int, size: int) -> dict:
    """What a run of a seed group stores under "group"."""
    return {"id": group_id, "seed": int(seed), "size": int(size)}


def group_labels(groups: list[SeedGroup]) -> dict[str, str]:
    """What sets each group apart from the others (settings and design), from its first run."""
    from backend.project.run_labels import run_labels

    firsts = [g.runs[0] for g in groups if g.runs]
    if len(firsts) < 2:
        return {}
    labels = run_labels(firsts)
    return {g.id: labels.get(g.runs[0].get("id"), "") for g in groups if g.runs}


def find_group(groups: list[SeedGroup], key: str) -> SeedGroup:
    """A group by id ("group_2"), name ("group 2") or number ("2"); one sentence if none."""
    wanted = key.strip().casefold()
    for group in groups:
        if wanted in (group.id.casefold(), group.name.casefold(), str(group.number)):
            return group
    names = ", ".join(g.name for g in groups) or "none (train with --seeds N first)"
    raise ValueError(f"there is no seed group called '{key}' (groups: {names})")


# -- bands -------------------------------------------------------------------------------------
@dataclass
class Band:
    epochs: list[float]
    mean: list[float]
    low: list[float]  # mean - std (the mean itself where one run reached the epoch)
    high: list[float]
    counts: list[int]  # runs that reached each epoch


def group_band(group: SeedGroup, key: str = "val_metric") -> Band:
    """Mean ± standard deviation across the group's runs of one curve, per epoch."""
    by_epoch: dict[float, list[float]] = {}
    for run in group.runs:
        xs, ys = run_curves(run).get(key, ([], []))
        for x, y in zip(xs, ys, strict=True):
            if math.isfinite(y):
                by_epoch.setdefault(x, []).append(y)
    band = Band([], [], [], [], [])
    for epoch in sorted(by_epoch):
        s = Summary.of(by_epoch[epoch])
        spread = s.std if s.n > 1 else 0.0
        band.epochs.append(epoch)
        band.mean.append(s.mean)
        band.low.append(s.mean - spread)
        band.high.append(s.mean + spread)
        band.counts.append(s.n)
    return band


# -- verdicts ----------------------------------------------------------------------------------
@dataclass
class Verdict:
    text: str  # the sentence the user reads
    significant: bool | None  # None: the test could not be run
    metric: str | None = None
    result: WelchResult | None = None


def figure(metric: str | None, value: float, spread: bool = False) -> str:
    if metric == "val_accuracy":
        return f"{value * 100:.1f}{' points' if spread else '%'}"
    return f"{value:.4g}"


def _describe(name: str, metric: str | None, s: Summary) -> str:
    spread = f" ± {figure(metric, s.std, True)}" if s.n > 1 else ""
    return f"{name} {figure(metric, s.mean)}{spread} ({s.n} seed{'s' if s.n != 1 else ''})"


def compare_groups(a: SeedGroup, b: SeedGroup, name_a: str = "", name_b: str = "") -> Verdict:
    """Whether the groups' final validation figures differ by more than the seed spread."""
    name_a, name_b = name_a or a.name, name_b or b.name
    (ma, va), (mb, vb) = a.scores(), b.scores()
    if ma is None or mb is None or ma != mb:
        return Verdict(f"{name_a} and {name_b} cannot be compared: their runs do not report "
                       f"the same validation figure", None)
    what = "validation accuracy" if ma == "val_accuracy" else "validation loss"
    sa, sb = Summary.of(va), Summary.of(vb)
    head = f"Final {what}: {_describe(name_a, ma, sa)}, {_describe(name_b, mb, sb)}."
    if sa.n < 2 or sb.n < 2:
        return Verdict(f"{head} Each group needs at least 2 seeds to tell a difference from "
                       f"noise: repeat with more seeds.", None, ma)
    r = welch(va, vb)
    better = (name_a if (r.difference > 0) == (ma == "val_accuracy") else name_b)
    diff = figure(ma, abs(r.difference), True)
    test = f"Welch's t-test: t = {r.t:.2f}, df = {r.df:.1f}, {_p(r.p)}"
    if r.p < ALPHA:
        text = (f"{head} {better[:1].upper() + better[1:]} is better by {diff}, more than "
                f"the spread across seeds explains ({test}, below {ALPHA}).")
    elif r.difference == 0:
        text = f"{head} The groups are the same ({test})."
    else:
        text = (f"{head} The difference of {diff} is within the spread across seeds: it may "
                f"be noise ({test}, not below {ALPHA}); more seeds would tell.")
    return Verdict(text, r.p < ALPHA, ma, r)


def _p(p: float) -> str:
    return "p < 0.0001" if p < 1e-4 else f"p = {p:.4f}" if p < 0.01 else f"p = {p:.3f}"
