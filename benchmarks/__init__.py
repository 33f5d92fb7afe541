"""teachgym.benchmarks: benchmark scripts, runs, sweeps and reports."""
