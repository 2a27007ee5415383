"""The Akeneo → SFCC import jobs: steps that read Akeneo, transform, write SFCC XML into a
staging folder, then zip it into a site import archive and deliver it.

Each step is a function of a `StepContext`. What steps of one execution share (the loaded
configuration, the Akeneo client, the staging folder) lives in `ctx.state`, set up by `common`.
"""
