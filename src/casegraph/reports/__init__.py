"""Case files (HTML and PDF), assembled from data the case service has already read."""
