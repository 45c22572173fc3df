"""``tryon models``: what each registered model can do, from its declared capabilities."""

from __future__ import annotations

from typing import Any

import click

from tryon.cli import output

__all__ = ["COMMANDS", "models"]


@click.command()
@click.argument("model", required=False)
@click.option("--supports", multiple=True, metavar="FEATURE[,FEATURE...]",
              help="Only models with every feature (e.g. transparent_background,mask); repeatable.")
@click.option("--provider", help="Only models of this provider.")
@click.option("--compare", metavar="MODEL,MODEL...",
              help="The seed's comparison table (features as rows) for these models.")
@click.option("--retiring", metavar="WINDOW",
              help="Only models whose shutdown date falls within WINDOW (90d, 30d, 2w or an ISO date), "
                   "with their dates and successors.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--markdown", is_flag=True, help="A Markdown table.")
def models(model: str | None, supports: tuple[str, ...], provider: str | None, compare: str | None,
           retiring: str | None, as_json: bool, markdown: bool) -> None:
    """List models and their capabilities, or show MODEL in full.

    \b
    Features: generate, edit, transparent_background, mask, input_fidelity,
    multi_image, arbitrary_sizes, aspect_ratios, streaming, partial_images, seed,
    output_compression, moderation, batch_n.

    \b
    Examples:
      tryon models --supports mask,transparent_background
      tryon models gpt-image-2              # everything declared, with sources
      tryon models --retiring 90d           # what shuts down in the next 90 days
      tryon models --markdown --compare gpt-image-1.5,gpt-image-1,flux-2-pro,gemini-2.5-flash-image
    """
    from tryon import capability_table as table
    from tryon import lifecycle
    from tryon.router import Router

    if as_json and markdown:
        raise click.UsageError("choose one of --json and --markdown")
    router = Router()
    day = router.today()
    if model is not None:
        if supports or provider or compare or retiring:
            raise click.UsageError("MODEL cannot be combined with --supports, --provider, --compare or --retiring")
        info = router.info(model)
        if as_json:
            output.emit_json(table.model_details(info, day))
        else:
            click.echo(table.model_details_text(info, day), nl=False)
        return
    if retiring is not None:
        if compare or markdown:
            raise click.UsageError("--retiring cannot be combined with --compare or --markdown")
        infos = router.models(supports=output.split_csv(supports), provider=provider, retiring=retiring)
        if as_json:
            output.emit_json(table.retiring_rows(infos, day))
        elif not infos:
            output.info(f"no model shuts down by {lifecycle.parse_horizon(retiring, day=day)}")
        else:
            click.echo(table.retiring_text(infos, day), nl=False)
        return
    if compare:
        infos = [router.info(name) for name in output.split_csv(compare)]
        wanted = output.split_csv(supports)
        infos = [i for i in infos if all(i.supports(f) for f in wanted)
                 and (provider is None or i.provider == provider)]
        if as_json:
            output.emit_json(table.comparison_rows(infos))
        else:
            text = table.comparison_markdown(infos) if markdown else table.comparison_text(infos)
            click.echo(text, nl=False)
        return
    infos = router.models(supports=output.split_csv(supports), provider=provider)
    if as_json:
        rows: list[Any] = table.summary_rows(infos)
        output.emit_json(rows)
    elif not infos:
        hint = "" if router.models() else " (no models are registered: see `tryon plugins`)"
        output.info("no model matches" + hint)
    else:
        click.echo(table.markdown_table(infos, day) if markdown else table.text_table(infos, day), nl=False)


COMMANDS = (models,)
