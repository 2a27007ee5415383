"""The job engine and the Akeneo → SFCC import pipeline."""
