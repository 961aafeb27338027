"""Deployment files and the scale-out driver (`python -m deploy.scaleout`)."""
