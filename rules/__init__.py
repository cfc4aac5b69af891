"""The rules, one module each. Every `Rule` subclass defined in a module of this
package is registered: to add a rule, copy a module and change it."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Dict, List, Type

from ssot_lint.rule import Rule


def all_rules() -> List[Type[Rule]]:
    """Every rule class, sorted by code."""
    found: Dict[str, Type[Rule]] = {}
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and value is not Rule \
                    and value.__module__ == module.__name__:
                found[value.code] = value
    return [found[code] for code in sorted(found)]
