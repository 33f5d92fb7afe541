"""The ``teachgym`` command line: list what is registered, run an experiment or a sweep, report, show runs.

Bad input (an unknown name, a malformed config, a folder holding another run) ends with one line on stderr and exit
code 2, before anything is written; a sweep in which some runs failed ends with exit code 1 after finishing the
others. A reader that closes the pipe early (``teachgym list | head -1``) ends the command quietly with exit code 141,
as Unix tools do.

Over 300 lines because every subcommand is here, each a parser and a short handler sharing the flag helpers; a module
per command would spread those helpers without making any command shorter.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from teachgym.errors import TeachgymError

from .config import SIMULATED, ConfigError, RunConfig, check_output_folder, field_docs, read_yaml
from .states import RunState

EXIT_BAD_INPUT = 2
EXIT_RUNS_FAILED = 1
EXIT_CLOSED_PIPE = 128 + 13  # what a shell reports for a process ended by SIGPIPE
SELF_CONTAINED_HELP = "embed the figures in report.html (one file to send; default: PNG files in report/figures/)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.handler(args)
        sys.stdout.flush()  # a closed pipe shows here, inside the try, rather than at the interpreter's exit
        return code
    except BrokenPipeError:
        return _closed_pipe()
    except TeachgymError as error:
        _error(str(error))
        return EXIT_BAD_INPUT
    except OSError as error:  # a path the typed checks did not foresee: still one line, never a traceback
        _error(f"{error.filename}: {error.strerror}" if error.filename and error.strerror else str(error))
        return EXIT_BAD_INPUT
    except UnicodeDecodeError as error:  # an input file the typed checks did not foresee is binary
        _error(f"an input file is not UTF-8 text ({error.reason} at byte {error.start}); expected YAML or CSV")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("teachgym: interrupted; run the same command again (with --resume for `run`) to continue",
              file=sys.stderr)
        return 130


def _error(message: str) -> None:
    print(f"teachgym: error: {' '.join(message.split())}", file=sys.stderr)


def _closed_pipe() -> int:
    """End quietly after the reader of stdout went away: Python flushes stdout again at exit and would print a
    second BrokenPipeError there, so stdout is pointed at /dev/null first."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, ValueError, io.UnsupportedOperation):  # stdout replaced in-process (a test's capture)
        return EXIT_CLOSED_PIPE
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)
    return EXIT_CLOSED_PIPE


def _command(commands: argparse._SubParsersAction, handler: Callable[[argparse.Namespace], int], name: str,
             **texts: str) -> argparse.ArgumentParser:
    """A subcommand's parser (``texts``: its help and description) that runs ``handler`` with the parsed flags."""
    command = commands.add_parser(name, **texts)
    command.set_defaults(handler=handler)
    return command


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="teachgym", description="Curriculum reinforcement-learning benchmarks: environments, teachers, students.")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    listing = _command(commands, _list, "list", help="environments, bodies, teachers and students, with their options",
                       description="List what teachgym has registered, with parameters and defaults.")
    listing.add_argument("what", nargs="?", choices=list(LISTINGS), help="one section only (default: all)")

    running = _command(commands, _run, "run", help="run one experiment (flags or a YAML config)",
                       description="Run one experiment into its run folder. Flags override the config file; mappings "
                                   "(kwargs, test_set) are YAML, e.g. --env-kwargs '{body: spider}'.")
    running.add_argument("config", nargs="?", type=_path, help="a YAML run config (the fields below)")
    running.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint")
    _add_config_flags(running)

    sweeping = _command(commands, _sweep, "sweep", help="run a grid of experiments from a YAML sweep file",
                        description="Run every experiment of a sweep (envs x teachers x students x seeds), skipping "
                                    "those done and resuming interrupted ones, then write the report.")
    sweeping.add_argument("file", type=_path, help="the sweep YAML file")
    sweeping.add_argument("--out", type=_path, help="output folder (default: the file's `out`)")
    sweeping.add_argument("--executor", default="local", help="local (a process pool) or ray (a Ray cluster)")
    sweeping.add_argument("--workers", type=int, help="processes of the local executor (default: all cores)")
    sweeping.add_argument("--address", help="Ray cluster address (auto, host:port or ray://...)")
    sweeping.add_argument("--no-report", action="store_true", help="do not write the report at the end")
    sweeping.add_argument("--self-contained", action="store_true", help=SELF_CONTAINED_HELP)

    reporting = _command(commands, _report, "report", help="statistics, tables and figures of a sweep or run folder",
                         description="Write report.md, report.html, PNG figures and scores.csv for a folder of runs; "
                                     "with --scoreboard, print the scoreboard of one or more sweep folders (one tier "
                                     "each).")
    reporting.add_argument("folders", nargs="+", type=_path, metavar="FOLDER",
                           help="a sweep folder or a run folder (several only with --scoreboard)")
    reporting.add_argument("--out", type=_path, help="the report goes to OUT/report (default: FOLDER/report); with "
                                                     "--scoreboard, the scoreboard also goes to OUT/scoreboard.md")
    reporting.add_argument("--self-contained", action="store_true", help=SELF_CONTAINED_HELP)
    reporting.add_argument("--scoreboard", action="store_true",
                           help="print each teacher's final share mastered per tier (IQM, 95%% CI, against random) "
                                "and the versions it was measured with, instead of writing the report")

    showing = _command(commands, _show, "show", help="status and latest metrics of runs",
                       description="A sweep folder (with sweep.yaml): one table, a row per env, teacher and student. "
                                   "Any other folder: one line per run folder below it.")
    showing.add_argument("folders", nargs="+", type=_path, help="run or sweep folders")

    importing = _command(commands, _import_test_set, "import-test-set",
                         help="convert a TeachMyAgent test set (.pkl) to a CSV test set",
                         description="Read a TeachMyAgent test set (a pickled numpy array, read with an unpickler that "
                                     "admits numpy arrays only) as tasks of an env and write them as a CSV test set "
                                     "(test_set: {csv: FILE}).")
    importing.add_argument("file", type=_path, help="the .pkl file")
    importing.add_argument("--env", required=True, help="the env id whose task space the tasks are in")
    importing.add_argument("--env-kwargs", type=_yaml_value, default={}, help="YAML mapping of env kwargs, e.g. "
                           "'{cppn_input_space: full}'")
    importing.add_argument("--out", type=_path, required=True, help="the CSV file to write")
    return parser


# --------------------------------------------------------------------------------------------------------- run
def _add_config_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per RunConfig field, with the field's docstring as help; absent flags stay unset."""
    docs = field_docs(RunConfig)
    for field in dataclasses.fields(RunConfig):
        flag = f"--{field.name.replace('_', '-')}"
        if field.type == "bool":
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=argparse.SUPPRESS,
                                help=docs.get(field.name))
        else:
            parser.add_argument(flag, type=_FLAG_TYPES.get(field.type, _yaml_value), default=argparse.SUPPRESS,
                                metavar=field.name.upper(), help=docs.get(field.name))


def _yaml_value(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise argparse.ArgumentTypeError(f"not valid YAML: {' '.join(str(error).split())}") from None


def _path(text: str) -> Path:
    # Path("") is ".": an empty argument (an unset shell variable) would quietly mean the working folder.
    if not text:
        raise argparse.ArgumentTypeError("expected a path, got an empty string")
    return Path(text)


def _optional_int(text: str) -> int | None:
    if text.lower() in ("none", "null"):
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer or none, got {text!r}") from None


_FLAG_TYPES: dict[str, Callable[[str], Any]] = {"str": str, "int": int, "int | None": _optional_int}


def config_from_args(args: argparse.Namespace) -> RunConfig:
    """The run config of ``teachgym run``: the file's settings (if any), overridden by the flags given."""
    names = [field.name for field in dataclasses.fields(RunConfig)]
    flags = {name: getattr(args, name) for name in names if hasattr(args, name)}
    if args.config is not None:
        return RunConfig.from_dict({**RunConfig.from_yaml(args.config).to_dict(), **flags}, where=str(args.config))
    if "env" not in flags:
        raise ConfigError("--env", "give an environment id (teachgym list envs) or a config file")
    return RunConfig.from_dict(flags, where="flags")


def _run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .run import run

    config = config_from_args(args)
    config.check_scalars()
    check_output_folder(config.out_dir, "RunConfig.out_dir")
    if config.student != SIMULATED and config.device.startswith("cuda"):
        from teachgym.students import resolve_device

        try:  # here, not in the run config's checks: a sweep's workers may have GPUs that this machine lacks
            resolve_device(config.device)
        except TeachgymError as error:
            raise ConfigError("RunConfig.device", str(error)) from None
    bars: list[tqdm] = []  # opened at the first report, so that a config error prints no bar

    def progress(timesteps: int) -> None:
        if not bars:
            bars.append(tqdm(total=config.total_timesteps, unit="step", desc=Path(config.out_dir).name,
                             dynamic_ncols=True, disable=None))
        bars[0].update(min(timesteps, config.total_timesteps) - bars[0].n)

    try:
        folder = run(config, resume=args.resume, progress=progress)
    finally:
        for bar in bars:
            bar.close()
    print(f"run folder: {folder}")
    _print_runs([folder])
    return 0


def _import_test_set(args: argparse.Namespace) -> int:
    import gymnasium as gym

    from teachgym import env_ids
    from teachgym.errors import UnknownNameError
    from teachgym.teachmyagent_test_sets import import_test_set

    if args.env not in gym.registry:
        raise UnknownNameError("environment", args.env, env_ids())
    if not isinstance(args.env_kwargs, dict):
        raise ConfigError("--env-kwargs", f"expected a YAML mapping, got {args.env_kwargs!r}")
    try:
        env = gym.make(args.env, **args.env_kwargs)
    except TypeError as error:  # a kwarg the env does not take
        raise ConfigError("--env-kwargs", str(error)) from None
    imported = import_test_set(args.file, env)  # checked completely before anything is written
    imported.test_set.to_csv(args.out)
    for note in imported.notes:
        print(f"teachgym: warning: {args.file}: {note}", file=sys.stderr)
    print(f"wrote {len(imported.test_set)} tasks of {args.env} to {args.out}")
    return 0


# ------------------------------------------------------------------------------------------------------- sweep
def _sweep(args: argparse.Namespace) -> int:
    from .executors import run_sweep
    from .sweep import Sweep
    from .sweep_progress import SweepProgress

    sweep = Sweep.from_yaml(args.file)
    if args.out is None:
        check_output_folder(sweep.out, f"{args.file}: out")
    else:
        check_output_folder(args.out, "--out")
    with SweepProgress(len(sweep.runs), sweep.name) as progress:  # a bar on a terminal, else a line per run
        result = run_sweep(sweep, out=args.out, executor=args.executor, workers=args.workers,
                           address=args.address, progress=progress)
    failed = result.failed
    for run in failed:
        print(f"failed: {run.run_id}: {run.error}", file=sys.stderr)
    for note in result.notes:
        print(f"teachgym: warning: {note}", file=sys.stderr)
    claimed = len(result.ids("claimed"))
    elsewhere = f", {claimed} left to another process" if claimed else ""
    print(f"sweep folder: {result.out}  ({len(result.runs) - len(failed) - claimed} done, {len(failed)} failed"
          f"{elsewhere})")
    if not args.no_report:
        from .report import write_report  # scipy and matplotlib: a second of start-up that --no-report saves

        print(f"report: {write_report(result.out, self_contained=args.self_contained)}")
    return EXIT_RUNS_FAILED if failed else 0


def _report(args: argparse.Namespace) -> int:
    from .report import find_runs, write_report

    if args.scoreboard:
        return _scoreboard(args)
    if len(args.folders) > 1:
        raise ConfigError("report", f"got {len(args.folders)} folders ({', '.join(map(str, args.folders))}); a report "
                                    f"takes one sweep or run folder (several only with --scoreboard)")
    folder = args.folders[0]
    print(f"report: {write_report(folder, out=args.out, self_contained=args.self_contained)}")
    for record in find_runs(folder):
        if record.state is RunState.DAMAGED:
            print(f"teachgym: warning: run {record.run_id} not used: {record.problem}", file=sys.stderr)
    return 0


def _scoreboard(args: argparse.Namespace) -> int:
    from .report.scoreboard import SCOREBOARD_FILE, scoreboard

    text = scoreboard(args.folders)
    if args.out is not None:
        check_output_folder(args.out, "--out")
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / SCOREBOARD_FILE).write_text(text)
    print(text, end="")
    return 0


# -------------------------------------------------------------------------------------------------------- show
def _show(args: argparse.Namespace) -> int:
    from .sweep import SWEEP_FILE

    folders, sweeps = [], []
    for folder in args.folders:
        if not folder.is_dir():
            raise ConfigError(str(folder), "is a file; expected a run or sweep folder" if folder.exists()
                              else "no such folder")
        if (folder / SWEEP_FILE).is_file():
            sweeps.append(folder)
        else:
            folders += sorted(path.parent for path in folder.rglob("config.yaml"))
    if not folders and not sweeps:
        raise ConfigError(" ".join(map(str, args.folders)), "no run folders (with a config.yaml) found")
    for folder in sweeps:
        _print_sweep(folder)
    if folders:
        _print_runs(folders)
    return 0


def _print_sweep(folder: Path) -> None:
    """One table for a sweep folder: a row per env, teacher and student (runs done, failed, not done, the IQM final
    share of those done), then a line per failed or damaged run with its reason."""
    from .report import find_runs
    from .report.scores import sweep_summary
    from .sweep import SWEEP_FILE

    try:
        planned = read_yaml(folder / SWEEP_FILE, "the sweep file").get("runs", [])
        expected = [run["id"] for run in planned if isinstance(run, dict) and isinstance(run.get("id"), str)]
    except (ConfigError, AttributeError, TypeError):  # a damaged sweep.yaml: show what the folders hold
        expected = []
    runs = find_runs(folder) if any(folder.rglob("config.yaml")) else []
    rows = [["env", "teacher", "student", "done", "failed", "not done", "IQM final"], *sweep_summary(runs, expected)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    print(f"sweep {folder}: {len(expected) or len(runs)} runs")
    for row in rows:
        print("  ".join(cell.ljust(width) if column < 3 else cell.rjust(width)
                        for column, (cell, width) in enumerate(zip(row, widths))).rstrip())
    for record in runs:
        if record.state in (RunState.FAILED, RunState.DAMAGED):
            print(f"    {record.run_id}: {record.problem}")


def _print_runs(folders: Sequence[Path]) -> None:
    """One line per run; below it a failed run's error, or what is wrong with a damaged run, and the versions it ran
    with: one line per version set, with the timesteps it started at when a resume changed them (no line for a run
    folder without environment.json, written before runs recorded it)."""
    from .provenance import versions_line
    from .report import read_run

    print(f"{'run':<50} {'state':<8} {'timesteps':>10} {'mastered':>9} {'test return':>12}")
    for path in folders:
        record = read_run(path)
        evaluated = record.mastered_share is not None and len(record.mastered_share) > 0
        mastered = f"{record.mastered_share[-1]:.3f}" if evaluated else "-"
        test_return = f"{record.test_return:.1f}" if evaluated else "-"
        print(f"{str(path):<50} {record.state:<8} {record.timesteps_done:>10} {mastered:>9} {test_return:>12}")
        if record.state is RunState.DAMAGED:
            print(f"    {RunState.DAMAGED}: {record.problem}")
        elif record.error:
            print(f"    error: {record.error}")
        if record.state is RunState.DAMAGED:
            continue
        starts: dict[str, int] = {}
        for environment in record.environments:
            starts.setdefault(versions_line(environment), environment["timesteps"])
        for line, timesteps in starts.items():  # none for a run folder from before environment.json
            print(f"    versions{f' from timesteps {timesteps}' if len(starts) > 1 else ''}: {line}")


# -------------------------------------------------------------------------------------------------------- list
def _list(args: argparse.Namespace) -> int:
    for name, show in LISTINGS.items():
        if args.what in (None, name):
            show()
    return 0


def _list_envs() -> None:
    import gymnasium as gym

    import teachgym

    print("Environments (gymnasium.make(id, **kwargs); task parameters: [low, high], default)")
    for env_id in teachgym.env_ids():
        env = gym.make(env_id)
        space = env.unwrapped.task_space
        print(f"  {env_id}  (max {env.spec.max_episode_steps} steps)")
        for name, (low, high), default in zip(space.names, space.bounds.values(), space.default):
            print(f"      {name:<24} [{low:g}, {high:g}]  default {default:g}")
        env.close()


def _list_bodies() -> None:
    import gymnasium as gym

    from teachgym.envs.walkers.bodies import BODIES
    from teachgym.envs.walkers.track import accepted_bodies, walker_env_ids
    from teachgym.errors import keyword_parameters

    print("Bodies (body=..., body_kwargs={...}): kind, actions, observation size on each env that takes the body")
    sizes: dict[str, list[str]] = {name: [] for name in BODIES}
    for env_id in walker_env_ids():
        for name in accepted_bodies(env_id):
            env = gym.make(env_id, body=name, disable_env_checker=True)
            sizes[name].append(f"{env_id.split('/')[-1].removesuffix('-v0')} {env.observation_space.shape[0]}")
            env.close()
    for name, builder in BODIES.items():
        spec = builder()
        actions = f"{len(spec.motors)} motors" + (f" + {len(spec.hands)} grasps" if spec.hands else "")
        options = ", ".join(f"{k}={v}" for k, v in keyword_parameters(builder).items())
        print(f"  {name:<34} {spec.kind:<9} {actions:<20} {', '.join(sizes[name])}; {options}")


def _list_teachers() -> None:
    from teachgym.teachers import available_teachers, teacher_hyperparameters

    print("Teachers (teacher=..., teacher_kwargs={...})")
    for name, cls in sorted(available_teachers().items()):
        presets = f"  presets: {', '.join(cls.presets)}" if cls.presets else ""
        print(f"  {name}{presets}")
        for parameter, default in teacher_hyperparameters(cls).items():
            print(f"      {parameter} = {default!r}")


def _list_students() -> None:
    from teachgym.students import ALGORITHMS, PRESETS

    print("Students (student=..., student_kwargs={preset: ..., ...})")
    print("  simulated     (the simulated-student envs: no model)")
    for name in ALGORITHMS:
        print(f"  {name:<13} presets: {', '.join(sorted(PRESETS.get(name, {}))) or '-'}")


LISTINGS: dict[str, Callable[[], None]] = {
    "envs": _list_envs,
    "bodies": _list_bodies,
    "teachers": _list_teachers,
    "students": _list_students,
}


if __name__ == "__main__":
    sys.exit(main())
