"""One execution: its steps, live progress, log (read and downloaded) and artifacts."""
