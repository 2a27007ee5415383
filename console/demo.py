"""The demo Akeneo and SFCC servers that `make run` starts beside the console."""


def commands() -> list[tuple[str, list[str]]]:
    return []
