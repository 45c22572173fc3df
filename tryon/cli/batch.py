"""``tryon batch JOBS.jsonl -o DIR``: run a file of jobs, resumably (see ``docs/batch.md``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from tryon.cli import output

if TYPE_CHECKING:
    from tryon.batch import BatchSummary, Shard

__all__ = ["batch"]

EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130


@click.command()
@click.argument("jobs", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output-dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the images and manifest.jsonl (created if needed).")
@click.option("--concurrency", type=click.IntRange(min=1), default=8, show_default=True,
              help="Jobs running at once.")
@click.option("--max-per-minute", type=click.FloatRange(min=0, min_open=True), metavar="M",
              help="Start at most M provider calls a minute, across all workers.")
@click.option("--shard", metavar="I/N", help="Run only shard I of N (jobs split by a hash of their id).")
@click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True,
              help="Retries of a job after a retryable failure (rate limit, timeout, 5xx).")
@click.option("--lenient", is_flag=True,
              help="Adapt options a model cannot honour (each change is recorded in the manifest) "
                   "instead of refusing the file.")
@click.option("--contact-sheet", is_flag=True,
              help="Also write contact-sheet.png into --output-dir: the images of the run's jobs, labelled "
                   "with their file names.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@click.pass_context
def batch(ctx: click.Context, jobs: Path, output_dir: Path, concurrency: int, max_per_minute: float | None,
          shard: str | None, retries: int, lenient: bool, contact_sheet: bool, as_json: bool) -> None:
    """Run every job of JOBS (one JSON object per line) and save the images into --output-dir.

    Each image is saved as soon as its job finishes and every outcome is appended to
    DIR/manifest.jsonl, so running the same command again resumes: finished jobs are
    skipped, failed and missing ones run. Exit status: 0 all done, 1 a job failed,
    2 invalid input (nothing was sent), 130 interrupted.

    \b
    A line:  {"prompt": "A leather handbag", "model": "gpt-image-1.5",
              "options": {"size": "1024x1024", "n": 2}, "name": "handbag"}
    Edits:   {"prompt": "Make the hat red", "images": ["person.jpg"], "mask": "mask.png"}

    \b
    Examples:
      tryon batch jobs.jsonl -o catalog/ --concurrency 8
      tryon batch jobs.jsonl -o catalog/ --max-per-minute 50 --shard 2/4
      tryon batch jobs.jsonl -o catalog/ --contact-sheet
    """
    from tryon.batch import BatchInterrupted, Progress, Shard, run_batch
    from tryon.errors import ValidationError

    try:
        selected = Shard.parse(shard) if shard is not None else None
    except ValidationError as exc:
        raise click.BadParameter(str(exc), param_hint="--shard") from None
    try:
        summary = run_batch(jobs, output_dir, concurrency=concurrency, max_per_minute=max_per_minute,
                            shard=selected, retries=retries, progress=Progress(),
                            strict=False if lenient else None)
    except ValidationError as exc:
        output.error(str(exc))
        ctx.exit(EXIT_USAGE)
    except BatchInterrupted as exc:
        _report(exc.summary, as_json)
        ctx.exit(EXIT_INTERRUPTED)
    sheet = _contact_sheet(jobs, output_dir, selected) if contact_sheet else None
    _report(summary, as_json, sheet)
    ctx.exit(summary.exit_code)


def _contact_sheet(jobs: Path, output_dir: Path, shard: Shard | None) -> Path | None:
    """A sheet of the images of every job this run covers (done now or by an earlier, resumed run)."""
    from tryon.batch import ManifestIndex, load_jobs
    from tryon.cli.sheets import write_contact_sheet

    selected = load_jobs(jobs)
    if shard is not None:
        selected = shard.select(selected)
    index = ManifestIndex.read(output_dir)
    paths = [output_dir / name for job in selected if (record := index.get(job.id)) is not None
             for name in record.files if (output_dir / name).is_file()]
    if not paths:
        output.info("no images saved: no contact sheet written")
        return None
    return write_contact_sheet(paths, output_dir, title=f"tryon batch: {jobs.name}")


def _report(summary: BatchSummary, as_json: bool, sheet: Path | None = None) -> None:
    if as_json:
        data = summary.to_dict()
        if sheet is not None:
            data["contact_sheet"] = str(sheet)
        output.emit_json(data)
        return
    output.result(f"batch: {summary}")
    output.result(f"manifest: {summary.manifest}")
    if sheet is not None:
        output.result(f"contact sheet: {sheet}")
    for failure in summary.failures:
        output.result(f"failed: {failure}")
    if summary.failed or summary.pending:
        output.result("run the same command again to resume (finished jobs are skipped)")
