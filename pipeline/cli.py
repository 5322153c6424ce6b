"""The `neecoach` command: parses arguments, calls library functions, maps errors to exit codes.

Exit codes (like sqlfluff): 0 everything processed; 1 finished, but some inputs were quarantined;
2 usage, configuration or environment error (nothing written).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from pipeline import __version__
from pipeline.errors import NeecoachError

app = typer.Typer(
    name="neecoach",
    help="How Dutch and Flemish sales reps handle the customer's 'nee': detect, measure, coach.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_QUARANTINED, EXIT_USAGE = 0, 1, 2

Inputs = Annotated[list[Path], typer.Argument(help="Transcript files or folders (searched recursively).")]
Out = Annotated[Path, typer.Option("--out", "-o", help="Workspace folder for tables and reports.")]
ManifestOpt = Annotated[
    Path | None,
    typer.Option("--manifest", "-m", help="CSV with file,call_id,rep,rep_speaker,date,outcome. "
                 "Default: manifest.csv at the top of the input folder, if there is one."),
]
ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="TOML overriding configs/default.toml.")]
WorkersOpt = Annotated[
    int | None, typer.Option("--workers", "-w", min=1, help="Worker processes (default: all cores).")
]
LogFormat = Annotated[str, typer.Option("--log-format", help="'text' or 'json' (for log shippers).")]


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {"level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage()}
        for key in ("call_id", "file", "same_as", "code"):
            if hasattr(record, key):
                payload[key] = getattr(record, key)
        return json.dumps(payload, ensure_ascii=False)


def _setup_logging(fmt: str, verbose: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("neecoach %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("pipeline")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)


def _fail(err: NeecoachError) -> typer.Exit:
    typer.echo(f"neecoach: error {err.message}", err=True)
    return typer.Exit(EXIT_USAGE)


def _progress_bar(enabled: bool) -> tuple[Any, Any]:
    """A rich progress bar on a terminal; nothing under cron."""
    if not enabled or not sys.stderr.isatty():
        return None, None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    bar = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                   TimeRemainingColumn(), transient=True)
    task = bar.add_task("transcripts", total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return bar, update


def _execute(inputs: list[Path], out: Path, manifest: Path | None, config: Path | None,
             workers: int | None, full: bool, detect: bool, log_format: str) -> None:
    from pipeline.config import load_settings
    from pipeline.run import RunRequest, execute

    _setup_logging(log_format)
    try:
        settings = load_settings(config)
        req = RunRequest(tuple(inputs), out, settings, manifest=manifest, workers=workers, full=full,
                         detect=detect, reports=detect)
        bar, update = _progress_bar(log_format == "text")
        if bar is not None:
            with bar:
                summary = execute(req, update)
        else:
            summary = execute(req)
    except NeecoachError as err:
        raise _fail(err) from None
    if log_format == "json":
        typer.echo(json.dumps({"summary": summary.line(), "exit_code": summary.exit_code}), err=True)
    else:
        typer.echo(summary.line(), err=True)
    raise typer.Exit(summary.exit_code)


@app.command()
def run(
    inputs: Inputs,
    out: Out,
    manifest: ManifestOpt = None,
    config: ConfigOpt = None,
    workers: WorkersOpt = None,
    full: Annotated[bool, typer.Option("--full", help="Recompute everything, not only new or changed files.")] = False,
    log_format: LogFormat = "text",
) -> None:
    """The nightly job: read, detect, aggregate and write tables and reports into the workspace."""
    _execute(inputs, out, manifest, config, workers, full, True, log_format)


@app.command()
def ingest(
    inputs: Inputs,
    out: Out,
    manifest: ManifestOpt = None,
    config: ConfigOpt = None,
    workers: WorkersOpt = None,
    log_format: LogFormat = "text",
) -> None:
    """Reading only: write calls, utterances and quarantine tables."""
    _execute(inputs, out, manifest, config, workers, False, False, log_format)


@app.command()
def inspect(
    file: Annotated[Path, typer.Argument(help="One transcript file.")],
    rep_speaker: Annotated[str | None, typer.Option(help="The rep's speaker label, if known.")] = None,
    config: ConfigOpt = None,
) -> None:
    """Print the normalised utterances of one file (for debugging a reader)."""
    from pipeline.config import load_settings
    from pipeline.ingest import Quarantined, SourceFile, ingest_file
    from pipeline.manifest import CallMeta
    from pipeline.run import _role_context

    try:
        settings = load_settings(config)
        meta = CallMeta(rep_speaker=rep_speaker) if rep_speaker else None
        result = ingest_file(SourceFile(file.resolve(), meta), settings.ingest, _role_context(settings))
    except NeecoachError as err:
        raise _fail(err) from None
    if isinstance(result, Quarantined):
        typer.echo(f"{file}: {result.message}", err=True)
        raise typer.Exit(EXIT_QUARANTINED)
    c = result.call
    typer.echo(f"# {c['call_id']}  format={c['format']}  encoding={c['encoding']}  speakers={c['n_speakers']}  "
               f"utterances={c['n_utterances']}  rep_speaker={c['rep_speaker']!r} "
               f"({c['role_source']}, {c['role_confidence']:.2f})  flags={','.join(c['flags']) or '-'}")
    for u in result.utterances:
        t = "" if u["start_s"] is None else f"[{u['start_s']:8.2f}] "
        typer.echo(f"{u['idx']:4d} {t}{u['role']:<8} {u['speaker'] or '?'}: {u['text']}")


@app.command()
def evaluate(
    set_dir: Annotated[Path, typer.Argument(help="Labelled set: calls/, manifest.csv, gold.jsonl.")],
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the metrics as JSON.")] = None,
    config: ConfigOpt = None,
    out: Annotated[Path | None, typer.Option("--out", help="Keep the workspace here (default: temporary).")] = None,
) -> None:
    """Run the pipeline on a labelled set and score it against its gold.jsonl."""
    from pipeline.evaluate_cmd import evaluate_set

    _setup_logging("text")
    try:
        result, table = evaluate_set(set_dir, config, out)
    except NeecoachError as err:
        raise _fail(err) from None
    typer.echo(table)
    if json_out is not None:
        json_out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"neecoach {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """neecoach: find every customer 'nee', what the rep did next, and coach on it."""


def main() -> None:
    try:
        app()
    except NeecoachError as err:  # a last safety net: never a traceback for a known error
        typer.echo(f"neecoach: error {err.message}", err=True)
        sys.exit(EXIT_USAGE)


if __name__ == "__main__":
    main()
