"""The import configuration: stored in the database, versioned, edited in the console.

    settings = jobs.config.load()          # ImportSettings, secrets in clear
    jobs.config.save(document, user=request.user, comment="…")   # or ConfigInvalid(problems)
    jobs.config.export_document() / import_document(document, user=…)

The document's shape and its default live in `schema`, the values the pipeline reads in
`values`, encryption at rest in `crypto`.
"""

from jobs.config.models import ConfigVersion
from jobs.config.schema import SECRET_PATHS, default_document
from jobs.config.services import ConfigInvalid, export_document, import_document, load, restore, save
from jobs.config.values import AkeneoConnection, Filters, ImportSettings

__all__ = [
    "SECRET_PATHS",
    "AkeneoConnection",
    "ConfigInvalid",
    "ConfigVersion",
    "Filters",
    "ImportSettings",
    "default_document",
    "export_document",
    "import_document",
    "load",
    "restore",
    "save",
]
