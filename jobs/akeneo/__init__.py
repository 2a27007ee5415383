"""The Akeneo side of the pipeline: a REST client, and a demo server and catalog generator
that speak Akeneo's published API for tests, benchmarks and `make run`."""
