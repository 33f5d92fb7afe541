"""teachgym.benchmarks.perf: the speed scripts, each run as ``python -m teachgym.benchmarks.perf.<name>``.

``env_speed`` (steps per second of every env and body), ``vector_speed`` (the shared-memory vector env against
the alternatives), ``curriculum_overhead`` (training with a teacher against without), ``alp_gmm_speed`` and
``neural_teacher_speed`` (a teacher's cost per episode), ``scale`` (a sweep on one local worker against two),
``protocol_cost`` (what the paper tier's sweeps take); ``training`` is the student-and-teacher set-up they share.
"""
