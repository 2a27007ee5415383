"""What every import step needs: the configuration, the Akeneo client, the staging folder."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from jobs import config as import_config
from jobs.akeneo.client import AkeneoClient
from jobs.akeneo.errors import AkeneoNotFound
from jobs.context import JobFailed, StepContext, TooManyDataErrors
from jobs.transform import Problem


def import_settings(ctx: StepContext) -> import_config.ImportSettings:
    """The configuration in force when the execution started, loaded once per execution.
    Its secrets are masked in the log from here on."""
    loaded = ctx.state.get("settings")
    if loaded is None:
        loaded = ctx.state["settings"] = import_config.load()
        for secret in loaded.secrets():
            ctx.add_secret(secret)
        ctx.run.error_threshold = loaded.error_threshold
        ctx.info(f"Configuration version {loaded.version}; channel {loaded.mapping.channel}")
    return loaded


def akeneo(ctx: StepContext) -> AkeneoClient:
    client = ctx.state.get("akeneo")
    if client is None:
        connection = import_settings(ctx).akeneo
        client = ctx.state["akeneo"] = AkeneoClient(
            connection.url,
            client_id=connection.client_id,
            secret=connection.secret,
            username=connection.username,
            password=connection.password,
            timeout=(5.0, connection.timeout),
            concurrency=connection.concurrency,
            log=lambda level, message: ctx.run.log.write(level, message, "akeneo"),
        )
        ctx.run.cleanup.append(client.close)
    return client


SELECT_TYPES = ("pim_catalog_simpleselect", "pim_catalog_multiselect")


def channel(ctx: StepContext) -> dict:
    """The configured channel as Akeneo has it (locales, currencies, category tree), asked once."""
    if "channel" not in ctx.state:
        code = import_settings(ctx).mapping.channel
        found = next((c for c in akeneo(ctx).channels() if c["code"] == code), None)
        if found is None:
            raise ConfigurationProblem(f"Akeneo has no channel {code!r}")
        ctx.state["channel"] = found
    return ctx.state["channel"]


def attribute_options(ctx: StepContext) -> dict[str, list[dict]]:
    """The options of every select attribute, by attribute code, asked once per execution."""
    if "attribute_options" not in ctx.state:
        client = akeneo(ctx)
        codes = [a["code"] for a in attributes(ctx) if a.get("type") in SELECT_TYPES]
        ctx.state["attribute_options"] = client.gather(
            {code: lambda code=code: list(client.attribute_options(code)) for code in codes}
        )
    return ctx.state["attribute_options"]


def attributes(ctx: StepContext) -> list[dict]:
    """Akeneo's attributes, asked once per execution whichever steps need them."""
    if "attributes" not in ctx.state:
        ctx.state["attributes"] = list(akeneo(ctx).attributes())
    return ctx.state["attributes"]


ENTITY_TYPES = ("akeneo_reference_entity", "akeneo_reference_entity_collection")


def record_labels(ctx: StepContext) -> dict[str, dict[str, dict[str, str]]]:
    """The labels of the records product attributes link to: entity → record → locale → label,
    asked once per execution, for the entities some attribute links to only. An entity Akeneo
    does not have is a data error; its links keep their codes."""
    if "record_labels" not in ctx.state:
        client = akeneo(ctx)
        locales = list(import_settings(ctx).mapping.locales)
        entities = {a.get("reference_data_name") for a in attributes(ctx) if a.get("type") in ENTITY_TYPES}

        def labels(entity: str) -> dict[str, dict[str, str]] | None:
            try:
                records = client.reference_entity_records(entity, locales=locales)
                return {r["code"]: labels_of(r) for r in records if isinstance(r, dict) and r.get("code")}
            except AkeneoNotFound:
                return None

        codes = sorted(e for e in entities if isinstance(e, str) and e)
        found = client.gather({entity: lambda entity=entity: labels(entity) for entity in codes})
        for entity in [e for e, labelled in found.items() if labelled is None]:
            del found[entity]
            ctx.data_error(
                entity, "Akeneo has no such reference entity; its links are written without labels"
            )
        ctx.state["record_labels"] = found
    return ctx.state["record_labels"]


def labels_of(record: dict) -> dict[str, str]:
    """A record's labels by locale: the values of its `label` attribute."""
    entries = (record.get("values") or {}).get("label") if isinstance(record.get("values"), dict) else None
    return {
        e["locale"]: e["data"]
        for e in entries or ()
        if isinstance(e, dict) and isinstance(e.get("locale"), str) and isinstance(e.get("data"), str)
    }


def staging(ctx: StepContext) -> Path:
    """The folder that becomes the archive's top folder: meta/, catalogs/<id>/, pricebooks/."""
    path = ctx.workdir / "staging"
    path.mkdir(parents=True, exist_ok=True)
    return path


def catalog_dir(ctx: StepContext) -> Path:
    path = staging(ctx) / "catalogs" / import_settings(ctx).mapping.catalog_id
    path.mkdir(parents=True, exist_ok=True)
    return path


def images_dir(ctx: StepContext) -> Path:
    """Where SFCC looks for a catalog's images: the catalog's static default folder."""
    return catalog_dir(ctx) / "static" / "default" / "images"


def pricebooks_dir(ctx: StepContext) -> Path:
    path = staging(ctx) / "pricebooks"
    path.mkdir(parents=True, exist_ok=True)
    return path


def report(ctx: StepContext, problems: Iterable[Problem]) -> None:
    """Item-level problems: each is logged with its identifier and counted as a data error."""
    for problem in problems:
        suffix = " (skipped)" if problem.fatal else ""
        ctx.data_error(problem.identifier, problem.message + suffix)


def failed_items_verdict(
    read: int, failed: int, written: int, percent: float | None, minimum: int
) -> str | None:
    """Why an import whose `failed` of `read` items were not imported (skipped for a data
    error) must not count as done, or None when it may end WARN. It fails when nothing read was
    imported, or when more than `percent` % failed and at least `minimum` did; `percent` None
    turns the check off."""
    if percent is None or failed == 0 or read == 0:
        return None
    if written == 0:
        return f"none of the {read:,} products and product models read could be imported"
    if failed * 100 > percent * read and failed >= minimum:
        return (
            f"{failed:,} of the {read:,} products and product models read could not be imported "
            f"({failed * 100 / read:.1f} %), more than the configured {percent:g} % "
            f"(with at least {minimum:,})"
        )
    return None


def check_failed_items(ctx: StepContext) -> None:
    """Ends a product export ERROR when too many of its items failed: its archive is not
    delivered and the differential watermark stays where it was."""
    loaded = import_settings(ctx)
    step = ctx.step
    verdict = failed_items_verdict(
        step.read_count, step.skip_count, step.write_count, loaded.failed_percent, loaded.failed_minimum
    )
    if verdict is not None:
        raise TooManyDataErrors(verdict)


class ConfigurationProblem(JobFailed):
    """The configuration does not fit what Akeneo has (e.g. an unknown channel)."""
