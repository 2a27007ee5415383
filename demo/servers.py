"""The demo Akeneo and SFCC servers that `make run` starts beside the console, so a new user
who clicks Run on 1, 2 and 3-2 sees OK three times and the import in the demo SFCC.
The default import configuration (jobs.config) points at their ports, which are settings
(DEMO_AKENEO_PORT, DEMO_SFCC_PORT)."""

from django.conf import settings
from django.core.management import call_command

from demo.stack import manage_command

DEMO_PRODUCTS = 3000


def ports() -> dict[str, int]:
    return {"akeneo": settings.DEMO_AKENEO_PORT, "sfcc": settings.DEMO_SFCC_PORT}


def commands() -> list[tuple[str, list[str]]]:
    demo = settings.VAR_DIR / "demo"
    catalog = demo / "akeneo"
    categories = catalog / "categories.jsonl"
    if (
        not (catalog / "products.jsonl").exists()
        or not categories.exists()
        or b'"site_fashion"' not in categories.read_bytes()
    ):
        # Generated once: a deterministic catalog of a few thousand products (again when it was
        # generated before its tree had one sub-tree per site).
        call_command("akeneo_demo_catalog", products=DEMO_PRODUCTS, out=str(catalog), seed=1)
    port = ports()
    return [
        (
            "akeneo",
            manage_command("akeneo_demo_server", "--data", str(catalog), "--port", str(port["akeneo"])),
        ),
        (
            "sfcc",
            manage_command("sfcc_demo_server", "--port", str(port["sfcc"]), "--data", str(demo / "sfcc")),
        ),
    ]
