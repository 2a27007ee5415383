"""The console's Test connection buttons: a short, unretried attempt with the given values.

Both raise the client's own error (`AkeneoError`, `SfccError`), whose message names the cause
and never a secret.
"""

from __future__ import annotations

from jobs.akeneo.client import AkeneoClient
from jobs.sfcc.delivery import LocalDelivery, SfccConfig, SfccDelivery

# A button click should answer within seconds, not sit through a job's patient retries.
TEST_TIMEOUT = 15.0


def test_akeneo(akeneo: dict) -> str:
    """`akeneo` is a normalized `akeneo` section with secrets in clear."""
    client = AkeneoClient(
        akeneo["url"],
        client_id=akeneo["client_id"],
        secret=akeneo["secret"],
        username=akeneo["username"],
        password=akeneo["password"],
        timeout=(5.0, min(float(akeneo["timeout"]), TEST_TIMEOUT)),
        max_attempts=2,
        backoff_base=0.2,
        max_sleep=1.0,
    )
    try:
        return client.test_connection()
    finally:
        client.close()


def test_delivery(delivery: dict) -> str:
    """`delivery` is a normalized `delivery` section with secrets in clear."""
    if delivery["target"] == "local":
        return LocalDelivery().test_connection()
    config = SfccConfig.from_mapping(
        {**delivery, "request_timeout": min(delivery["request_timeout"], TEST_TIMEOUT), "max_retries": 1,
         "backoff": 0.2, "max_backoff": 1.0}
    )  # fmt: skip
    sfcc = SfccDelivery(config)
    try:
        return sfcc.test_connection()
    finally:
        sfcc.close()
