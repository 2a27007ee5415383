import pytest


@pytest.fixture(scope="package")
def storage_root(tmp_path_factory):
    """A storage root of this package's own: its runs' log files and archives (numbered by
    execution ids, which SQLite reuses between tests) never meet those of other tests."""
    return tmp_path_factory.mktemp("storage")
