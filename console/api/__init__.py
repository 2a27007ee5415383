"""The REST API for automation, modelled on OCAPI's job endpoints (see openapi.py)."""
