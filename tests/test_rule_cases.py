"""Cases of the rules that one rule example cannot show: several files, configuration keys, and what
was found wrong on real code (issue 13). Each test names the mistake it guards against."""

from __future__ import annotations

from helpers import check_tree
from ssot_lint.rule import EXAMPLE_FILES

SHIM_CONFIG = {"canonical": [{"symbol": "app.factory:EngineFactory", "shims": ["app.legacy"]}]}


def codes_at(result, path=None):
    return sorted((v.path, v.line, v.code) for v in result.violations if path in (None, v.path))


def test_the_same_unresolved_import_in_two_files_is_reported_in_both(tmp_path):
    """SSOT009 remembered what it reported by position only: the second file's import was dropped."""
    broken = "from app.legacy import Engine\n"
    files = {**EXAMPLE_FILES, "app/one.py": broken, "app/two.py": broken}
    result = check_tree(tmp_path, files, SHIM_CONFIG, select=["SSOT009"])
    assert codes_at(result) == [("app/one.py", 1, "SSOT009"), ("app/two.py", 1, "SSOT009")]


# -- function wrappers (issue 13, item 2) ----------------------------------------------------------

ENV_CONFIG = {"canonical": [{"symbol": "shared.env:get_env"}]}
ENV_FILES = {
    "shared/__init__.py": "",
    "shared/env.py": "import os\n\n\ndef get_env(name):\n    return os.environ.get(name)\n",
    "test_helpers/__init__.py": "",
    "test_helpers/env.py": (
        "def get_env(name):\n"
        "    from shared.env import get_env as _get_env\n\n"
        "    return _get_env(name)\n"
    ),
    **{f"tests/test_{n}.py": "from test_helpers.env import get_env\n\n\ndef test_it():\n    assert get_env('X') is None\n"
       for n in range(5)},
}


def test_a_function_that_calls_the_canonical_function_is_a_wrapper_and_its_imports_wrapper_imports(tmp_path):
    """The def was a competing implementation (SSOT001) and each import "bound to a different object";
    the wrapper's own renamed import of the canonical is part of the wrapper, not an SSOT005 of its own."""
    result = check_tree(tmp_path, ENV_FILES, ENV_CONFIG, select=["SSOT001", "SSOT004", "SSOT005"])
    assert codes_at(result) == [("test_helpers/env.py", 1, "SSOT004")] + [
        (f"tests/test_{n}.py", 1, "SSOT004") for n in range(5)]
    definition = [v for v in result.violations if v.path == "test_helpers/env.py"][0]
    assert definition.message.startswith("function get_env delegates to get_env: a second entry point")


def test_a_private_function_that_calls_the_canonical_is_a_wrapper_too(tmp_path):
    """sympy's `def _simplify(expr): from ... import simplify; return simplify(expr)` ("a wrapper to avoid
    circular imports"), bound as `simplify = _simplify`: that name was SSOT001 'bound to a different object'."""
    files = {**ENV_FILES,
             "test_helpers/env.py": "def _get_env(name):\n    from shared.env import get_env\n\n    return get_env(name)\n",
             "tests/test_0.py": "from test_helpers.env import _get_env\n\n\ndef test_it(get_env=None):\n"
                                "    get_env = _get_env\n    assert get_env('X') is None\n"}
    result = check_tree(tmp_path, files, ENV_CONFIG, select=["SSOT001", "SSOT004"])
    assert codes_at(result, "test_helpers/env.py") == [("test_helpers/env.py", 1, "SSOT004")]
    assert codes_at(result, "tests/test_0.py") == [("tests/test_0.py", 1, "SSOT004")]


def test_a_function_named_like_the_canonical_that_does_not_call_it_is_a_competing_implementation(tmp_path):
    files = {**ENV_FILES, "test_helpers/env.py": "def get_env(name):\n    return 'fake'\n"}
    result = check_tree(tmp_path, files, ENV_CONFIG, select=["SSOT001", "SSOT004"])
    assert codes_at(result) == [("test_helpers/env.py", 1, "SSOT001")] + [
        (f"tests/test_{n}.py", 1, "SSOT001") for n in range(5)]


# -- bindings inside `try` branches (issue 13, item 3) ----------------------------------------------

FALLBACK_SHIM = """\
try:
    from app.factory import EngineFactory
    class RequestEngineFactory(EngineFactory):
        pass
except ImportError:
    class EngineFactory:
        pass
    class RequestScopedEngineFactory(EngineFactory):
        pass
    def make_engine_factory():
        return EngineFactory()
"""


def test_a_fallback_class_that_subclasses_the_fallback_is_a_competing_implementation(tmp_path):
    """Its base was resolved against the module's final namespace (the import in `try`), which made it
    a wrapper of the canonical; in its own branch the name is the fallback class."""
    files = {**EXAMPLE_FILES, "app/legacy.py": FALLBACK_SHIM}
    config = {"canonical": [{"symbol": "app.factory:EngineFactory", "shims": ["app.legacy"],
                             "lookalikes": ["*EngineFactory", "make_engine_factory"]}]}
    result = check_tree(tmp_path, files, config, select=["SSOT001", "SSOT004"])
    assert codes_at(result, "app/legacy.py") == [
        ("app/legacy.py", 3, "SSOT004"),  # in the `try` body: the name is the canonical
        ("app/legacy.py", 6, "SSOT001"),
        ("app/legacy.py", 8, "SSOT001"),  # subclasses the fallback, not the canonical
        ("app/legacy.py", 10, "SSOT001"),  # its body runs where the fallback was defined
    ]


def test_an_alias_in_an_except_branch_is_what_that_branch_bound(tmp_path):
    shim = ("try:\n    from app.factory import EngineFactory\nexcept ImportError:\n"
            "    class EngineFactory:\n        pass\n    LegacyFactory = EngineFactory\n")
    files = {**EXAMPLE_FILES, "app/legacy.py": shim}
    from helpers import project_of
    project = project_of(tmp_path, files, SHIM_CONFIG)
    info = project.graph.get("app.legacy")
    alias = [b for b in info.facts.bindings if b.name == "LegacyFactory"][0]
    assert project.resolver.resolve_binding(info, alias).definition == ("app.legacy", "EngineFactory", 4)


# -- subclasses and instances (issue 13, item 5) -----------------------------------------------------

OPERATOR_FILES = {
    "pipeline/__init__.py": "",
    "pipeline/operator.py": "class BaseOperator:\n    def execute(self):\n        raise NotImplementedError\n",
    "pipeline/legacy.py": "from pipeline.operator import BaseOperator\n\n\nclass OldOperator(BaseOperator):\n    pass\n",
    "dags/__init__.py": "",
    "dags/nightly.py": (
        "from pipeline.operator import BaseOperator\n\n\n"
        "class CopyOperator(BaseOperator):\n    def execute(self):\n        return 'copied'\n\n\n"
        "copy = CopyOperator()\n"
        "noop = BaseOperator()\n"
    ),
}


def operator_config(**keys):
    return {"canonical": [{"symbol": "pipeline.operator:BaseOperator", "shims": ["pipeline.legacy"], **keys}]}


def test_an_ordinary_subclass_is_no_wrapper_and_an_instance_of_a_non_factory_no_shared_state(tmp_path):
    """With a class designed to be subclassed and instantiated at module level, every subclass was
    SSOT004 and every instance SSOT006."""
    result = check_tree(tmp_path, OPERATOR_FILES, operator_config(), select=["SSOT004", "SSOT006"])
    assert codes_at(result) == [("pipeline/legacy.py", 4, "SSOT004")]  # in a declared shim: a stand-in


def test_final_makes_every_subclass_a_wrapper_and_stateful_every_instance_shared(tmp_path):
    result = check_tree(tmp_path, OPERATOR_FILES, operator_config(final=True, stateful=True),
                        select=["SSOT004", "SSOT006"])
    assert codes_at(result) == [("dags/nightly.py", 4, "SSOT004"), ("dags/nightly.py", 10, "SSOT006"),
                                ("pipeline/legacy.py", 4, "SSOT004")]


def test_a_factory_instance_is_shared_state_by_default_and_stateful_false_says_otherwise(tmp_path):
    files = {**EXAMPLE_FILES, "app/service.py": "from app.factory import EngineFactory\n\nfactory = EngineFactory()\n"}
    factory = {"symbol": "app.factory:EngineFactory", "products": ["app.engine:Engine"]}
    result = check_tree(tmp_path, files, {"canonical": [factory]}, select=["SSOT006"])
    assert codes_at(result) == [("app/service.py", 3, "SSOT006")]
    result = check_tree(tmp_path, files, {"canonical": [{**factory, "stateful": False}]}, select=["SSOT006"])
    assert codes_at(result) == []
    result = check_tree(tmp_path, files, {"canonical": [{"symbol": "app.factory:EngineFactory"}]},
                        select=["SSOT006"])
    assert codes_at(result) == []


# -- one finding per site (issue 13, item 6) ----------------------------------------------------------

OLD_SHIM = ("from app.factory import EngineFactory\n\n\n"
            "class Old(EngineFactory):\n    pass\n")
AS_CANONICAL = "from app.legacy import Old as EngineFactory\n"


def test_a_site_several_rules_report_gets_one_finding_that_names_the_others(tmp_path):
    """`from shim import Old as Canonical` got SSOT001, SSOT002 and SSOT004 at once."""
    files = {**EXAMPLE_FILES, "app/legacy.py": OLD_SHIM, "app/service.py": AS_CANONICAL}
    result = check_tree(tmp_path, files, SHIM_CONFIG)
    found = [v for v in result.violations if v.path == "app/service.py"]
    assert [(v.line, v.code, v.also) for v in found] == [(1, "SSOT004", ("SSOT002",))]
    assert found[0].message == (
        "EngineFactory is app.legacy.Old, a wrapper that subclasses EngineFactory; "
        "also SSOT002: Old imported from shim app.legacy, which is being retired; "
        "use EngineFactory from app.factory instead")


def test_a_suppressed_code_is_not_folded_into_the_finding_that_stays(tmp_path):
    files = {**EXAMPLE_FILES, "app/legacy.py": OLD_SHIM,
             "app/service.py": AS_CANONICAL.rstrip("\n") + "  # noqa: SSOT004\n"}
    result = check_tree(tmp_path, files, SHIM_CONFIG)
    found = [v for v in result.violations if v.path == "app/service.py"]
    assert [(v.line, v.code, v.also) for v in found] == [(1, "SSOT002", ())]


# -- a module that hands names out through `__getattr__` ------------------------------------------------


def test_an_import_from_a_module_with_a_module_getattr_is_dynamic_not_broken(tmp_path):
    """`from airflow.models import BaseOperator` (a lazy `__getattr__` package) gave 87 false SSOT009 on a
    real tree: what such a module hands out is decided at runtime, so it is not claimed broken (nor the
    canonical): SSOT011 says that it cannot be known statically."""
    lazy = ("import importlib\n\n\ndef __getattr__(name):\n"
            "    return getattr(importlib.import_module('app.factory'), name)\n")
    files = {**EXAMPLE_FILES, "app/lazy.py": lazy, "app/service.py": "from app.lazy import EngineFactory\n",
             "app/broken.py": "from app.engine import EngineFactory\n"}
    result = check_tree(tmp_path, files, SHIM_CONFIG)
    assert codes_at(result, "app/service.py") == [("app/service.py", 1, "SSOT011")]
    assert codes_at(result, "app/broken.py") == [("app/broken.py", 1, "SSOT009")]  # no __getattr__ there


def test_the_importers_of_a_private_function_wrapper_are_found_with_and_without_the_prefilter(tmp_path):
    """`_get_env` matches no token of the configuration: the prefilter must learn its name from the wrapper."""
    files = {**ENV_FILES,
             "test_helpers/env.py": "def _get_env(name):\n    from shared.env import get_env\n\n    return get_env(name)\n",
             "tests/test_0.py": "from test_helpers.env import _get_env\n"}
    with_prefilter = check_tree(tmp_path, files, ENV_CONFIG, prefilter=True)
    without = check_tree(tmp_path, files, ENV_CONFIG, prefilter=False)
    assert codes_at(with_prefilter) == codes_at(without)
    assert ("tests/test_0.py", 1, "SSOT004") in codes_at(with_prefilter)
