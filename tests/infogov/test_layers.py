"""The import-linter contract in pyproject.toml covers every app of the portal.

import-linter only looks at its root packages, and the optional ``(followup)`` layer is skipped
while that package is missing: an app made later and not added there would never be checked.
"""

import tomllib

from django.apps import apps
from django.conf import settings

CONFIG = tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())["tool"]["importlinter"]


def _local_apps() -> set[str]:
    """Top-level packages of the installed apps that live in this repository."""
    return {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if (settings.BASE_DIR / config.name.split(".")[0]).is_dir()
    }


def _layered() -> set[str]:
    (contract,) = [c for c in CONFIG["contracts"] if c["type"] == "layers"]
    return {
        name.strip().strip("()")
        for layer in contract["layers"]
        for name in layer.replace(":", "|").split("|")
    }


def test_every_local_app_is_a_root_package():
    assert _local_apps() <= set(CONFIG["root_packages"])


def test_every_root_package_has_a_layer():
    assert set(CONFIG["root_packages"]) <= _layered()
