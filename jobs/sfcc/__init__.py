"""The SFCC side: import records, streaming XML writers, site import archives, delivery."""
