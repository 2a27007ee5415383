"""The import configuration of the demo: the demo Akeneo and SFCC that `make run` starts, and
the image attributes of its catalogs. Saved by `make run` when nothing has been saved yet; the
product's own default (jobs.config) names no server and leaves the credentials to fill in."""

from django.conf import settings

from jobs import config as import_config
from jobs.config.schema import default_document


def akeneo_url() -> str:
    return f"http://127.0.0.1:{settings.DEMO_AKENEO_PORT}"


def sfcc_url() -> str:
    return f"http://127.0.0.1:{settings.DEMO_SFCC_PORT}"


def demo_document() -> dict:
    document = default_document()
    document["akeneo"] |= {
        "url": akeneo_url(),
        "client_id": "demo_client",
        "secret": "demo_secret",
        "username": "admin",
        "password": "admin",
    }
    document["mapping"] |= {
        "locales": {"en_US": "en-US", "fr_FR": "fr-FR", "de_DE": "de-DE"},
        # Image attributes of the icecat catalog (picture, image, variation_image) and of the
        # generated demo catalog (main_image, image_2, variation_image).
        "image_view_types": {
            "picture": "large",
            "image": "large",
            "main_image": "large",
            "image_2": "large",
            "variation_image": "small",
        },
        # The generated catalog's packshot assets; its `notices` assets are PDFs, not images.
        "asset_view_types": {"gallery": "large"},
    }
    document["delivery"] |= {
        "target": "sfcc",
        "instance_url": sfcc_url(),
        "client_id": "demo-client",
        "client_secret": "demo-secret",
        "token_url": f"{sfcc_url()}/dwsso/oauth2/access_token",
    }
    return document


def save_if_unconfigured() -> bool:
    """Save the demo configuration as version 1 when nothing has been saved; True if it was."""
    if import_config.ConfigVersion.objects.exists():
        return False
    import_config.save(demo_document(), comment="The demo configuration (make run)")
    return True
