"""`netwright` command line: the designer with no arguments, headless sub-commands otherwise.

Each sub-command lives in its own module and exposes `add_parser(subparsers)` and `run(args)`.
Bad input raises `CliError` (or a file error), which becomes one line on stderr and exit 2.
Output into a pipe that closes early (`netwright templates --json | head -1`) ends quietly
with exit 0, as the standard tools do.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

# sub-command name -> module (relative to backend.cli)
COMMANDS = {
    "templates": "design_cmds",
    "new": "design_cmds",
    "summary": "design_cmds",
    "validate": "design_cmds",
    "train": "train_cmd",
    "export": "export_cmd",
    "diff": "run_cmds",
    "import": "import_cmd",
    "groups": "seeds_cmd",
    "sweep": "sweep_cmd",
}


class CliError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="netwright", description="Design, check, train and "
                                     "export neural networks. With no command (or a FILE), "
                                     "opens the designer.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    seen = set()
    for module_name in COMMANDS.values():
        if module_name in seen:
            continue
        seen.add(module_name)
        try:
            module = importlib.import_module(f"backend.cli.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"backend.cli.{module_name}":
                raise
            continue
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (len(argv) == 1 and argv[0] not in COMMANDS and not argv[0].startswith("-")):
        return _open_designer(argv)
    args = _parser().parse_args(argv)
    if args.command is None:
        return _open_designer([])
    try:
        code = int(args.run(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here rather than at exit
        return code
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except KeyboardInterrupt:
        print("netwright: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # every user-facing failure is one line, never a traceback
        if _out_of_memory(exc):
            print("netwright: error: this machine ran out of memory ("
                  + one_line(str(exc) or type(exc).__name__, 160) + "): make the design or its "
                  "batch smaller, or close other programs", file=sys.stderr)
            return 1
        if not _is_user_error(exc):
            print(f"netwright: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 3
        print("netwright: error: " + one_line(str(exc)), file=sys.stderr)
        return 2


def one_line(text: str, limit: int = 600) -> str:
    """A message as one line of at most `limit` characters, whatever it quotes."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _out_of_memory(exc: BaseException) -> bool:
    """Memory ran out although the estimate said it would fit (other programs took it)."""
    if isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError":
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and ("out of memory" in text
                                              or "can't allocate memory" in text)


def _silence_stdout() -> None:
    """The reader of our output has gone: send what is left (and Python's final flush) to
    /dev/null so no 'Exception ignored ... BrokenPipeError' follows."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (tests capture it)
        pass


def _is_user_error(exc: Exception) -> bool:
    from backend.build import BuildError
    from backend.project import DesignFileError

    user_errors = (CliError, DesignFileError, BuildError, FileNotFoundError, PermissionError,
                   IsADirectoryError, KeyError, ValueError)
    return isinstance(exc, user_errors)


def _open_designer(argv: list[str]) -> int:
    try:
        app = importlib.import_module("designer.app")
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("designer"):
            raise
        from backend.cli.design_cmds import demo

        return demo()
    return app.main(argv)
