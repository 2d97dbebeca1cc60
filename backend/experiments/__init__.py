"""Experiments beyond one run: seed groups, significance, sweeps, several processes, GPU speed.

Nothing here imports Qt; torch and Optuna are imported only inside the functions that need
them, so importing the package is cheap.

- `stats`: Welch's t-test (the t distribution computed here, no SciPy) and the verdict text.
- `groups`: seed groups in a project's runs, mean ± spread bands, comparing two groups.
- `seeds`: "Repeat with N seeds": the seeds to use and running them headless.
- `space` / `sweep` / `trial`: Optuna sweeps over training settings and layer parameters.
- `distributed`: training one run in several processes (torchrun, DistributedDataParallel).
- `fastpath`: what the GPU fast path turns on for a model and a device (decision logic).
"""
