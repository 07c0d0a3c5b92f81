"""The `isu` command line (DESIGN §5): parsing, exit codes and one-line errors.

The command speaks ISU_LANGUAGE (else Swedish) until it has read a config; from then on, the config's
language (`args.language`), for its messages and its errors alike.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path
from collections.abc import Sequence
from typing import TYPE_CHECKING

from isu_engine import __version__
from isu_engine.errors import EXIT_INTERNAL_ERROR, EXIT_USER_ERROR, UserError
from isu_engine.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from isu_engine.render.atomic import write_error

if TYPE_CHECKING:
    from isu_engine.configure.plugins import Registry


EXIT_BROKEN_PIPE = 141  # as a shell reports a program ended by SIGPIPE


class OneLineParser(argparse.ArgumentParser):
    """A parser whose usage errors are one line, like every other user error (exit 2)."""

    def error(self, message: str):
        self.exit(EXIT_USER_ERROR, f"{self.prog}: {message} ({self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    common = OneLineParser(add_help=False)
    common.add_argument("--plugins-dir", action="append", default=[], type=Path, metavar="D",
                        help="extra folder with model plugins (repeatable)")
    common.add_argument("--strict-plugins", action="store_true", help="a broken plugin is an error")
    common.add_argument("--debug", action="store_true", help="show full tracebacks")

    parser = OneLineParser(prog="isu", description="Reports for individbaserad systematisk uppföljning.")
    parser.add_argument("--version", action="version", version=f"isu-engine {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    models = commands.add_parser("models", parents=[common], help="list models, or show one model's codebook")
    models.add_argument("name", nargs="?")
    models.add_argument("--json", action="store_true", help="machine-readable output")
    models.add_argument("--format", choices=("text", "md", "json", "table-schema", "datapackage"), default=None)
    models.set_defaults(handler=_models)

    validate = commands.add_parser("validate", parents=[common], help="read and validate every dataset")
    validate.add_argument("config", type=Path)
    validate.add_argument("--out", type=Path, help="write validation.csv and quarantine-<dataset>.csv here")
    validate.set_defaults(handler=_validate)

    rendering = OneLineParser(add_help=False)
    rendering.add_argument("config", type=Path)
    rendering.add_argument("--out", type=Path, required=True)
    rendering.add_argument("--format", default="html,pdf,json", type=_formats,
                           help="comma-separated: html,pdf,json,xlsx")
    rendering.add_argument("--strict", action="store_true", help="exit 1 when rows were quarantined")
    commands.add_parser("report", parents=[common, rendering],
                        help="one report per dataset (html, pdf, json, xlsx)").set_defaults(handler=_report)
    commands.add_parser("compare", parents=[common, rendering],
                        help="the comparative report over compare:").set_defaults(handler=_compare)

    demo = commands.add_parser("demo", parents=[common],
                               help="synthetic data, a config, every report and the comparison")
    demo.add_argument("--out", type=Path, required=True)
    demo.set_defaults(handler=_demo)

    new_model = commands.add_parser("new-model", parents=[common], help="scaffold a plugin package for a new model")
    new_model.add_argument("name", help="the model's name: lower case a-z, digits and _")
    new_model.add_argument("--out", type=Path, required=True, help="a new or empty folder")
    new_model.set_defaults(handler=_new_model)

    template = commands.add_parser("template", parents=[common], help="an Excel data-entry sheet for one dataset")
    template.add_argument("config", type=Path)
    template.add_argument("dataset")
    template.add_argument("--out", type=Path, required=True, metavar="F.xlsx")
    template.set_defaults(handler=_template)

    inspect = commands.add_parser("inspect", parents=[common],
                                  help="what the reader detects in an unknown export; writes a starting config")
    inspect.add_argument("file", type=Path)
    inspect.add_argument("--model", metavar="M", help="the model whose fields the headings are matched to")
    inspect.add_argument("--out", type=Path, metavar="CONFIG", help="write a starting config here")
    inspect.set_defaults(handler=_inspect)

    serve = commands.add_parser("serve", parents=[common], help="the web application: the ISU cycle in a browser")
    serve.add_argument("--demo", action="store_true", help="a demo municipality with units, data and a user per role")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--data", type=Path, default=Path("isu-data"), metavar="D",
                       help="the data folder (SQLite database, keys, uploads); PostgreSQL when ISU_DATABASE_URL is set")
    serve.add_argument("--create-admin", metavar="NAME",
                       help="create an administrator, print a one-time password, stop")
    serve.set_defaults(handler=_serve)
    audit = commands.add_parser("audit", parents=[common],
                                help="what a reader of the published files can learn about hidden cells")
    audit.add_argument("out", type=Path, nargs="+", metavar="OUT",
                       help="the output folder of a run (several: together)")
    audit.add_argument("--min-cell", type=int, metavar="N", help="judge against this min_cell (default: the runs')")
    audit.set_defaults(handler=_audit)
    return parser


def _formats(value: str) -> tuple[str, ...]:
    from isu_engine.commands.formats import FORMATS

    chosen = tuple(dict.fromkeys(part.strip().lower() for part in value.split(",") if part.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(t("cli.bad_format", start_language(), value=value, allowed=",".join(FORMATS)))
    return chosen


def start_language() -> str:
    """The language of the command until a config says `language:` (ISU_LANGUAGE, else Swedish)."""
    chosen = os.environ.get("ISU_LANGUAGE", DEFAULT_LANGUAGE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # --help, --version, or a usage error already printed as one line
        return int(done.code or 0)
    args.language = start_language()
    try:
        return args.handler(args)
    except UserError as error:
        if args.debug:
            traceback.print_exc()
        print(error.line(args.language), file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print(t("cli.interrupted", args.language), file=sys.stderr)
        return 130
    except BrokenPipeError:  # the output went to a program that stopped reading (`| head`): no error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except OSError as error:
        if args.debug:
            traceback.print_exc()
        if error.filename is None:
            print(_internal_line(error, args.language), file=sys.stderr)
            return EXIT_INTERNAL_ERROR
        print(write_error(Path(error.filename), error).line(args.language), file=sys.stderr)
        return EXIT_USER_ERROR
    except Exception as error:  # a bug: one line, traceback only with --debug
        if args.debug:
            traceback.print_exc()
        print(_internal_line(error, args.language), file=sys.stderr)
        return EXIT_INTERNAL_ERROR


def _internal_line(error: BaseException, language: str) -> str:
    return UserError("cli.internal_error", error=f"{type(error).__name__}: {error}").line(language)


def registry_for(args, extra_dirs: Sequence[Path] = ()) -> Registry:
    """Load plugins; broken ones are warned about by name (fatal with --strict-plugins)."""
    from isu_engine.configure.plugins import load_registry

    registry = load_registry([*extra_dirs, *args.plugins_dir], strict=args.strict_plugins)
    for problem in registry.problems:
        print(t("plugins.broken_warning", args.language, plugin=problem.plugin, origin=problem.origin,
                problem=problem.problem), file=sys.stderr)
    return registry


def _models(args) -> int:
    from isu_engine.commands.codebook import print_models

    registry = registry_for(args)
    fmt = "json" if args.json else args.format
    return print_models(registry, args.name, fmt, sys.stdout, args.language)


def _loaded(args):
    from isu_engine.configure.config import load_config

    config = load_config(args.config)
    args.language = config.language
    return config, registry_for(args, config.plugins_dirs)


def _report(args) -> int:
    from isu_engine.commands.run import report_config

    config, registry = _loaded(args)
    return report_config(config, registry, args.out, args.format, args.strict, sys.stdout)


def _compare(args) -> int:
    from isu_engine.commands.run import compare_config

    config, registry = _loaded(args)
    return compare_config(config, registry, args.out, args.format, args.strict, sys.stdout)


def _demo(args) -> int:
    from isu_engine.commands.demo import run_demo

    return run_demo(registry_for(args), args.out, sys.stdout)


def _validate(args) -> int:
    from isu_engine.commands.run import validate_config

    config, registry = _loaded(args)
    return validate_config(config, registry, args.out, sys.stdout)


def _audit(args) -> int:
    from isu_engine.commands.audit import audit_runs

    return audit_runs(args.out, args.min_cell, sys.stdout, args.language)


def _new_model(args) -> int:
    from isu_engine.commands.scaffold import scaffold

    scaffold(args.name, args.out)
    print(t("scaffold.wrote", args.language, name=args.name, path=args.out))
    print(t("scaffold.next", args.language, path=args.out))
    return 0


def _template(args) -> int:
    from isu_engine.commands.entry_sheet import write_template

    config, registry = _loaded(args)
    path = write_template(config, args.dataset, registry, args.out)
    print(t("template.wrote", args.language, path=path))
    return 0


def _inspect(args) -> int:
    from isu_engine.commands.inspect import run_inspect

    registry = registry_for(args) if args.model else None
    return run_inspect(registry, args.file, args.model, args.out, sys.stdout, args.language)


def _serve(args) -> int:
    from isu_engine.serve.server import serve

    return serve(args.data, args.host, args.port, args.demo, args.create_admin, sys.stdout)
