"""Draft intakes from deployment files (docker-compose, Kubernetes manifests, Terraform).

Read deterministically: one reader per format, kinds from a data table, gaps asked as questions.

May import: catalogue and everything below it.
"""
