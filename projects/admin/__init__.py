"""The five projects in the admin (五项工程, plan 三.(一)), a module a project."""

from . import education, employment, loans, pilots, training  # noqa: F401  (each registers its pages)
