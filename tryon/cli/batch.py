"""``tryon batch JOBS -o DIR``: run a file of jobs, resumably, within a budget (see ``docs/batch.md``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tryon.cli import output

if TYPE_CHECKING:
    from tryon.batch import BatchPlan, BatchSummary, JobDefaults, Shard

__all__ = ["batch"]

EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130


@click.command()
@click.argument("jobs", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output-dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the images and manifest.jsonl (created if needed; one run at a time).")
@click.option("--dry-run", is_flag=True,
              help="Check every job, then print the jobs, images, provider calls, estimated cost per model "
                   "and the time the rate limit implies; send nothing.")
@click.option("--max-cost", type=click.FloatRange(min=0), metavar="USD",
              help="Budget for this run in US dollars: each call reserves its estimate before it starts; when "
                   "the next job would cross the budget no more work starts.")
@click.option("--allow-unpriced", is_flag=True,
              help="With --max-cost: also run models without price data (their cost is not counted).")
@click.option("-m", "--model", "models", multiple=True, metavar="MODEL",
              help="Model for jobs that name none (repeat for a preference list).")
@click.option("--option", "default_options", multiple=True, metavar="KEY=VALUE",
              help="Request option for every job that does not set it (size=1024x1024, quality=low, n=2, "
                   "a provider option...); repeatable; VALUE is parsed as JSON when it can be.")
@click.option("--setting", "settings", multiple=True, metavar="PROVIDER.NAME=VALUE",
              help="Provider setting, e.g. openai.base_url=http://127.0.0.1:8080/v1 or flux.poll_interval=1 "
                   "(repeatable; keys belong in environment variables).")
@click.option("--allow-private-urls", is_flag=True,
              help="Allow image URLs on loopback/private networks (refused by default).")
@click.option("--sidecar", is_flag=True, help="Write a JSON sidecar (prompt, model, options, cost) per image.")
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
@click.option("--json", "as_json", is_flag=True, help="Print the summary (or the dry run) as JSON on stdout.")
@click.pass_context
def batch(ctx: click.Context, jobs: Path, output_dir: Path, dry_run: bool, max_cost: float | None,
          allow_unpriced: bool, models: tuple[str, ...], default_options: tuple[str, ...],
          settings: tuple[str, ...], allow_private_urls: bool, sidecar: bool, concurrency: int,
          max_per_minute: float | None, shard: str | None, retries: int, lenient: bool, contact_sheet: bool,
          as_json: bool) -> None:
    """Run every job of JOBS and save the images into --output-dir.

    JOBS is a JSONL file (one JSON object per line), a JSON array of such objects, or a CSV
    file with a header row (prompt, model, images, mask, name, id, options, or any request
    option such as size or n). Before anything is sent, every job is checked locally: its
    options, every local image and mask, an API key for every model it may use, the output
    folder, and prices under --max-cost; any problem is listed and nothing is sent (exit 2).
    Each image is saved as soon as it arrives and every outcome is appended to
    DIR/manifest.jsonl, so running the same command again resumes: finished jobs are
    skipped, failed and missing ones run.

    \b
    Exit status:
      0    every job done
      1    a job failed, or jobs were left (budget reached); run again to resume
      2    invalid jobs, inputs, keys, folder or budget (nothing was sent),
           or another run holds the folder
      130  interrupted (Ctrl-C); run again to resume

    \b
    A line:  {"prompt": "A leather handbag", "model": "gpt-image-2.6-sunburst",
              "options": {"size": "1024x1024", "n": 2}, "name": "handbag"}
    Edits:   {"prompt": "Make the hat red", "images": ["person.jpg"], "mask": "mask.png"}

    \b
    Examples:
      tryon batch jobs.jsonl -o catalog/ --dry-run
      tryon batch jobs.jsonl -o catalog/ --concurrency 8 --max-cost 5
      tryon batch jobs.csv -o catalog/ -m flux-2-pro --option size=1024x1024
      tryon batch jobs.jsonl -o catalog/ --max-per-minute 50 --shard 2/4
      tryon batch jobs.jsonl -o catalog/ --contact-sheet
    """
    from tryon.batch import BatchInterrupted, Progress, Shard, batch_router, plan_batch, run_batch
    from tryon.errors import ValidationError

    try:
        selected = Shard.parse(shard) if shard is not None else None
    except ValidationError as exc:
        raise click.BadParameter(str(exc), param_hint="--shard") from None
    if allow_unpriced and max_cost is None:
        raise click.UsageError("--allow-unpriced applies with --max-cost")
    router = batch_router(allow_private_urls=True if allow_private_urls else None, **_settings(settings))
    defaults = _defaults(models, default_options, router)
    common = {"router": router, "shard": selected, "strict": False if lenient else None, "defaults": defaults,
              "max_cost": max_cost, "allow_unpriced": allow_unpriced, "max_per_minute": max_per_minute}
    if dry_run:
        _report_plan(plan_batch(jobs, output_dir, **common), max_cost, as_json)  # type: ignore[arg-type]
        return
    try:
        summary = run_batch(jobs, output_dir, concurrency=concurrency, retries=retries, progress=Progress(),
                            sidecar=sidecar, **common)  # type: ignore[arg-type]
    except BatchInterrupted as exc:
        _report(exc.summary, as_json)
        ctx.exit(EXIT_INTERRUPTED)
    sheet = _contact_sheet(jobs, output_dir, selected, defaults) if contact_sheet else None
    _report(summary, as_json, sheet)
    ctx.exit(summary.exit_code)


def _settings(pairs: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """``--setting openai.base_url=URL`` pairs, by provider."""
    out: dict[str, dict[str, Any]] = {}
    for pair in pairs:
        key, sep, _ = pair.partition("=")
        provider, dot, name = key.strip().partition(".")
        if not sep or not dot or not provider or not name:
            raise click.BadParameter(f"{pair!r} is not PROVIDER.NAME=VALUE (e.g. openai.base_url=URL)",
                                     param_hint="'--setting'")
        values = output.parse_key_values([f"{name}={pair.partition('=')[2]}"], option="--setting",
                                         text_keys={"base_url", "api_key", "organization", "project"})
        if any(word in name.lower() for word in ("key", "token", "secret")):
            from tryon.secrets import Secret

            values = {k: Secret(str(v)) for k, v in values.items()}
        out.setdefault(provider, {}).update(values)
    return out


def _defaults(models: tuple[str, ...], pairs: tuple[str, ...], router: Any) -> JobDefaults | None:
    from tryon.batch import JobDefaults

    if not models and not pairs:
        return None
    for name in models:
        router.resolve_name(name)  # an unknown model is a usage error before reading the jobs
    options = output.parse_key_values(pairs, option="--option")
    return JobDefaults(model=(models[0] if len(models) == 1 else tuple(models)) if models else None,
                       options=options)


def _report_plan(plan: BatchPlan, max_cost: float | None, as_json: bool) -> None:
    from tryon.batch.progress import format_duration

    if as_json:
        data = plan.to_dict()
        data["max_cost"] = max_cost
        output.emit_json(data)
        return
    show = output.result
    show("dry run: nothing was sent")
    show(f"jobs:      {plan.total} ({len(plan.jobs)} to run, {plan.done} done earlier)")
    show(f"images:    {plan.images}")
    show(f"calls:     {plan.calls}")
    for model, row in plan.per_model().items():
        cost = output.format_cost(row["usd"])
        unpriced = f", {row['unpriced_jobs']} unpriced job(s)" if row["unpriced_jobs"] and row["usd"] is not None \
            else ""
        show(f"  {model}: {row['jobs']} job(s), {row['images']} image(s), {row['calls']} call(s), {cost}{unpriced}")
    unpriced_jobs = plan.unpriced
    total = output.format_cost(plan.estimate_usd)
    if unpriced_jobs:
        names = ", ".join(f"line {p.job.line}" + (f" ({p.job.name})" if p.job.name else "")
                          for p in unpriced_jobs[:10])
        more = f" and {len(unpriced_jobs) - 10} more" if len(unpriced_jobs) > 10 else ""
        show(f"estimate:  {total} for the priced jobs; {len(unpriced_jobs)} job(s) have no price data: "
             f"{names}{more}")
    else:
        show(f"estimate:  {total}")
    if max_cost is not None:
        verdict = "fits" if plan.estimate_usd <= max_cost else "does not fit: the run will stop when the next job " \
                                                              "would cross it"
        show(f"budget:    ${max_cost:.4f} ({verdict})")
    seconds = plan.minimum_seconds
    if seconds is None:
        show("time:      no rate limit set (--max-per-minute); the providers' latency decides")
    else:
        show(f"time:      at least {format_duration(seconds)} at {plan.max_per_minute:g} call(s) a minute")


def _contact_sheet(jobs: Path, output_dir: Path, shard: Shard | None, defaults: JobDefaults | None) -> Path | None:
    """A sheet of the images of every job this run covers (done now or by an earlier, resumed run)."""
    from tryon.batch import ManifestIndex, load_jobs
    from tryon.batch.runner import _inside
    from tryon.cli.sheets import write_contact_sheet

    selected = load_jobs(jobs, defaults)
    if shard is not None:
        selected = shard.select(selected)
    index = ManifestIndex.read(output_dir)
    paths = [output_dir / name for job in selected if (record := index.get(job.id)) is not None
             for name in record.files if _inside(output_dir, name)]
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
    if summary.budget is not None:
        output.result(str(summary.budget))
    if summary.manifest is not None:
        output.result(f"manifest: {summary.manifest}")
    else:
        output.result("manifest: none written (no job was started)")
    if sheet is not None:
        output.result(f"contact sheet: {sheet}")
    for failure in summary.failures:
        output.result(f"failed: {failure}")
    if summary.failed or summary.pending:
        output.result("run the same command again to resume (finished jobs are skipped)")
