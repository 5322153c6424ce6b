"""The `neecoach` command: parses arguments, calls library functions, maps errors to exit codes.

Exit codes (like sqlfluff): 0 everything processed; 1 finished, but some inputs were quarantined;
2 usage, configuration or environment error (nothing written).
"""

from __future__ import annotations

import os

# polars allocates with jemalloc, which keeps freed pages for 10 s by default: in a batch whose stages
# follow each other within seconds that stacks every stage's peak on the last. Returning them at
# once keeps a run's memory bounded by its largest stage (docs/ops.md). Must precede importing polars.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from pipeline import __version__
from pipeline.errors import ErrorCode, NeecoachError, UsageError

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
NoFail = Annotated[
    bool,
    typer.Option("--nofail", help="Exit 0 even when some inputs were quarantined (they are still reported)."),
]


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
             workers: int | None, full: bool, detect: bool, log_format: str, nofail: bool = False,
             engine: str = "local", ray_address: str | None = None) -> None:
    from pipeline.config import load_settings
    from pipeline.run import RunRequest, execute

    _setup_logging(log_format)
    try:
        settings = load_settings(config)
        if detect:
            from pipeline.modelstore import keep_torch_out, needs_torch

            if not needs_torch(settings):
                keep_torch_out()  # this process and its workers start without torch
        if engine not in ("local", "ray"):
            raise UsageError(ErrorCode.CONFIG_INVALID, f"--engine {engine!r}: use 'local' or 'ray'")
        req = RunRequest(tuple(inputs), out, settings, manifest=manifest, workers=workers, full=full,
                         detect=detect, reports=detect, engine=engine, ray_address=ray_address)
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
    raise typer.Exit(EXIT_OK if nofail else summary.exit_code)


@app.command()
def run(
    inputs: Inputs,
    out: Out,
    manifest: ManifestOpt = None,
    config: ConfigOpt = None,
    workers: WorkersOpt = None,
    full: Annotated[bool, typer.Option("--full", help="Recompute everything, not only new or changed files.")] = False,
    log_format: LogFormat = "text",
    nofail: NoFail = False,
    engine: Annotated[str, typer.Option("--engine", help="'local' (worker processes) or 'ray'.")] = "local",
    ray_address: Annotated[
        str | None, typer.Option("--ray-address", help="Ray cluster address (default: start a local Ray).")
    ] = None,
) -> None:
    """The nightly job: read, detect, aggregate and write tables and reports into the workspace."""
    _execute(inputs, out, manifest, config, workers, full, True, log_format, nofail, engine, ray_address)


@app.command()
def ingest(
    inputs: Inputs,
    out: Out,
    manifest: ManifestOpt = None,
    config: ConfigOpt = None,
    workers: WorkersOpt = None,
    log_format: LogFormat = "text",
    nofail: NoFail = False,
) -> None:
    """Reading only: write calls, utterances and quarantine tables."""
    _execute(inputs, out, manifest, config, workers, False, False, log_format, nofail)


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


@app.command()
def train(
    config: Annotated[Path, typer.Argument(help="Training config, e.g. configs/train/default.toml.")],
    base_model: Annotated[Path | None, typer.Option("--base-model", help="Fine-tune this local Hugging Face "
                          "checkpoint directory (transformers backend) instead of the fast spaCy default.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Models root (default: from the config).")] = None,
    version: Annotated[
        str | None, typer.Option("--version", help="Version folder name (default: from the config).")
    ] = None,
    task: Annotated[list[str] | None, typer.Option("--task", help="Only this task (repeatable).")] = None,
) -> None:
    """Train the classifiers (nee moment, response, reason) into models/<task>/<version>/."""
    from pipeline.train.runner import train_from_config

    _setup_logging("text")
    bar, update = _progress_bar(True)

    def progress(task_name: str, done: int, total: int) -> None:
        if update is not None:
            update(done, total)

    try:
        if bar is not None:
            with bar:
                results = train_from_config(config, base_model=base_model, out_root=out, version=version,
                                            tasks=task, progress=progress)
        else:
            results = train_from_config(config, base_model=base_model, out_root=out, version=version, tasks=task)
    except NeecoachError as err:
        raise _fail(err) from None
    for name, r in results.items():
        v = r["validation"]
        acc, f1 = v.get("accuracy", 0), v.get("macro_f1", 0)
        typer.echo(f"{name:<9} {r['path']}  val accuracy {acc:.3f}  macro-F1 {f1:.3f}")


@app.command("export-for-labelling")
def export_for_labelling(
    ws: Annotated[Path, typer.Argument(help="A workspace written by `neecoach run`.")],
    n: Annotated[int, typer.Option("--n", min=1, help="How many utterances.")] = 200,
    out: Annotated[Path, typer.Option("--out", help="Label Studio tasks JSON to write.")] = Path("tasks.json"),
    config: ConfigOpt = None,
) -> None:
    """Write the detector's least-confident customer utterances (with context) as Label Studio tasks."""
    from pipeline.config import load_settings
    from pipeline.labelling import LABEL_CONFIG, export_tasks

    try:
        tasks = export_tasks(ws, load_settings(config), n)
    except NeecoachError as err:
        raise _fail(err) from None
    out.write_text(json.dumps(tasks, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out.parent / "label_config.xml").write_text(LABEL_CONFIG, encoding="utf-8")
    typer.echo(f"{len(tasks)} tasks -> {out} (labelling interface: {out.parent / 'label_config.xml'})", err=True)


models_app = typer.Typer(help="List, show and compare model directories.", no_args_is_help=True)
app.add_typer(models_app, name="models")


@models_app.command("list")
def models_list(
    root: Annotated[
        Path | None, typer.Option("--root", help="Models folder (default: the project's models/).")
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Every model directory, with its validation figures; * marks the active one per task."""
    from pipeline.config import PROJECT_ROOT, load_settings
    from pipeline.modelstore import list_models, model_paths

    try:
        active = {p.resolve() for p in model_paths(load_settings(config)).values()}
    except NeecoachError as err:
        raise _fail(err) from None
    for m in list_models(root or PROJECT_ROOT / "models"):
        v = m.metrics.get("validation", {})
        mark = "*" if m.path.resolve() in active else " "
        typer.echo(f"{mark} {m.task:<9} {m.version:<8} {m.backend:<13} acc {v.get('accuracy', 0):.3f}  "
                   f"macro-F1 {v.get('macro_f1', 0):.3f}  {m.path}")


@models_app.command("show")
def models_show(path: Annotated[Path, typer.Argument(help="A model directory.")]) -> None:
    """Print a model's card and metadata."""
    from pipeline.modelstore import read_info

    try:
        info = read_info(path)
    except NeecoachError as err:
        raise _fail(err) from None
    card = path / "model-card.md"
    typer.echo(card.read_text(encoding="utf-8") if card.exists() else json.dumps(info.meta, indent=2))


@models_app.command("diff")
def models_diff(
    a: Annotated[Path, typer.Argument(help="First model directory.")],
    b: Annotated[Path, typer.Argument(help="Second model directory (same task).")],
    set_dir: Annotated[Path | None, typer.Option("--set", help="Labelled set (SCHEMA format) to score both on; "
                       "default: each model's stored validation figures.")] = None,
) -> None:
    """Metrics of two models side by side, on the same evaluation set."""
    from pipeline.train.compare import compare_models

    try:
        typer.echo(compare_models(a, b, set_dir))
    except NeecoachError as err:
        raise _fail(err) from None


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
