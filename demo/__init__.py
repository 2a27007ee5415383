"""Tools around the product, never part of it: the demo Akeneo and SFCC servers, the demo
catalog generator, the stack that `make run` starts, the embedded Redis and the demo users.

Product code (`jobs`, `console`) never imports this package (`make lint` checks it), and the
production image does not carry it; its dependencies are the `demo` extra.
"""
