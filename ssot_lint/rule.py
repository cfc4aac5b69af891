"""What a rule is, and what it reports.

A rule is a class with a code, a kebab-case name, a one-line summary, a severity,
whether it can be fixed, documentation in its docstring (What it does / Why is
this bad? / Example / How to fix), `VALID` and `INVALID` examples that the test
suite runs, and `check(project)`, which reads the resolved project and yields
violations (or, for a rule about the `# noqa` comments themselves, a `phase` of
`Phase.SUPPRESSIONS` and `check_suppressions`; for one about what the project
binds when it runs, `Phase.RUNTIME` and `check_runtime`, run by `ssot-lint
verify` only). Copy any module under `rules/` to add one.
"""

from __future__ import annotations

import enum
import hashlib
import inspect
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, ClassVar, Iterator, Mapping, NamedTuple, Optional, Set, Tuple

from ssot_lint.facts.model import Span
from ssot_lint.fixes.edits import Applicability, Fix

if TYPE_CHECKING:
    from ssot_lint.analysis.graph import ModuleInfo
    from ssot_lint.analysis.canonical import Canonical
    from ssot_lint.analysis.project import Project
    from ssot_lint.runtime.verdicts import Verification


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"


class Phase(str, enum.Enum):
    """When a rule runs. Most look at the code (`check`); a rule about the suppressions themselves runs once
    the other rules' findings have gone through `allow`, per-file ignores and `# noqa` (`check_suppressions`)."""

    FINDINGS = "findings"
    SUPPRESSIONS = "suppressions"
    RUNTIME = "runtime"  # `ssot-lint verify` only: it imports the project (`check_runtime`); `check` never runs it


class Finding(str, enum.Enum):
    """What kind of thing a violation reports: with its detail (`Subject`), what its fingerprint hashes."""

    PARSE_ERROR = "parse"  # SSOT000
    SECOND_CLASS = "class"  # SSOT001: a class named like the canonical
    SECOND_FUNCTION = "function"  # SSOT001: a function named like it
    NAME_BOUND_ELSEWHERE = "binding"  # SSOT001: the canonical's name bound to another definition
    INDIRECT_IMPORT = "indirect-import"  # SSOT002: the canonical through another module
    STAR_IMPORT = "star-import"  # SSOT002: a star import that brings it in
    SHIM_IMPORT = "shim-import"  # SSOT002: anything else imported from a shim
    UNDECLARED_SHIM = "reexport"  # SSOT003
    WRAPPER = "wrapper"  # SSOT004: a class or function standing in for the canonical
    WRAPPER_IMPORT = "uses wrapper"  # SSOT004: an import of one
    RENAMED_ALIAS = "alias"  # SSOT005
    SHARED_INSTANCE = "module"  # SSOT006: a module-level instance
    GLOBAL_SINGLETON = "global"  # SSOT006: a `global` lazy singleton
    BYPASS_CONSTRUCTION = "construct"  # SSOT007
    STRING_PATH = "string"  # SSOT008
    UNRESOLVED_IMPORT = "unresolved"  # SSOT009
    IMPORT_CYCLE = "cycle"  # SSOT010
    DYNAMIC_SHIM = "dynamic"  # SSOT011: a name a module-level `__getattr__` hands out
    UNUSED_NOQA = "noqa"  # SSOT100
    RUNTIME_NOT_CANONICAL = "runtime-not-canonical"  # SSOT201: claimed the canonical, is not at runtime
    RUNTIME_CANONICAL = "runtime-canonical"  # SSOT202: claimed not the canonical, is at runtime
    RUNTIME_SETTLED = "runtime-settled"  # SSOT203: unknown statically, known at runtime
    IMPORT_FAILED = "import-failed"  # SSOT204: a module the claims are about failed to import


# The imports SSOT002 reports were fingerprinted by their detail alone: kept so, since baselines hold them.
_UNPREFIXED = frozenset({Finding.INDIRECT_IMPORT, Finding.STAR_IMPORT, Finding.SHIM_IMPORT})


class Subject(NamedTuple):
    """What a violation is about, independent of where it is: the kind of finding, and what it names (a
    qualname, a chain, a path). Two violations of one rule in one file with the same subject are told
    apart by their order (`engine.run.finalise`), so a fingerprint survives lines moving."""

    kind: Finding
    detail: str = ""

    def __str__(self) -> str:
        if self.kind in _UNPREFIXED or not self.detail:
            return self.detail or self.kind.value
        return f"{self.kind.value} {self.detail}"


@dataclass(frozen=True)
class Violation:
    """One finding. `fingerprint` survives line moves: it hashes what, where (file) and which symbol."""

    code: str
    rule: str  # the rule's kebab-case name
    path: str  # relative to the project root, posix
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    symbol: Optional[str]  # the canonical symbol concerned, 'pkg.mod:Name'
    chain: Tuple[str, ...]  # the modules the name went through, importer first, definition last
    subject: Subject  # what is reported, for the fingerprint
    severity: Severity = Severity.ERROR
    fingerprint: str = ""
    fix: Optional[Fix] = None  # the edit that removes it, when the rule knows one
    also: Tuple[str, ...] = ()  # the codes of other findings at the same site, folded into this one

    @property
    def finding(self) -> str:
        """What is wrong, without the advice: messages are 'what is wrong; what to do'."""
        return self.message.partition("; ")[0]

    @property
    def kind(self) -> Finding:
        return self.subject.kind

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.code, self.message)

    def with_fingerprint(self, occurrence: int) -> "Violation":
        digest = hashlib.sha256(
            "\0".join([self.code, self.path, self.symbol or "", str(self.subject), str(occurrence)]).encode()
        ).hexdigest()[:16]
        return replace(self, fingerprint=digest)


@dataclass(frozen=True)
class Example:
    """A small project for a rule's documentation and tests.

    `code` is written to `path` on top of `EXAMPLE_FILES` (plus `files`); for an
    INVALID example, `lines` are the lines of `path` where the rule must fire,
    exactly, and `messages` what it says there, in the same order (Fixit's
    MESSAGE); a VALID example must give no violation of the rule in `path`. When
    `fixed` is given, fixing the example must turn `path` into exactly that.
    """

    code: str
    lines: Tuple[int, ...] = ()
    messages: Tuple[str, ...] = ()  # INVALID: the message at each of `lines`, in order
    path: str = "app/service.py"
    files: Mapping[str, str] = field(default_factory=dict)
    fixed: Optional[str] = None  # INVALID: `path` after `check --fix --unsafe-fixes` (Fixit's expected_replacement)


# The project every example starts from: a canonical factory, its product, and a
# declared shim that re-exports it.
EXAMPLE_FILES = {
    "app/__init__.py": "",
    "app/engine.py": "class Engine:\n    def run(self):\n        return 'ran'\n",
    "app/factory.py": (
        "from app.engine import Engine\n\n\n"
        "class EngineFactory:\n    def create(self):\n        return Engine()\n"
    ),
    "app/legacy.py": (
        "from app.factory import EngineFactory\n\n\n"
        "def make_factory():\n    return EngineFactory()\n"
    ),
}
EXAMPLE_CONFIG = {
    "canonical": [
        {
            "symbol": "app.factory:EngineFactory",
            "shims": ["app.legacy"],
            "lookalikes": ["*EngineFactory"],
            "products": ["app.engine:Engine"],
            "allow": ["tests/fixtures/**"],
        }
    ]
}


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    fixable: ClassVar[Optional[Applicability]] = None  # the fixes it attaches: Applicability.SAFE or .UNSAFE
    phase: ClassVar[Phase] = Phase.FINDINGS
    VALID: ClassVar[Tuple[Example, ...]] = ()
    INVALID: ClassVar[Tuple[Example, ...]] = ()

    def __init_subclass__(cls, **kwargs) -> None:
        """A rule declared wrongly fails where it is written, with its name, not later in `ssot-lint rules`."""
        super().__init_subclass__(**kwargs)
        if cls.fixable is not None and not isinstance(cls.fixable, Applicability):
            raise TypeError(f"rule {cls.__name__}: `fixable` must be Applicability.SAFE, Applicability.UNSAFE "
                            f"or None, not {cls.fixable!r}")

    def check(self, project: "Project") -> Iterator[Violation]:
        """What it finds in the project (`Phase.FINDINGS`)."""
        raise NotImplementedError

    def check_suppressions(self, project: "Project", used: Mapping[Tuple[str, int], Set[str]]) -> Iterator[Violation]:
        """What it finds once the findings are suppressed (`Phase.SUPPRESSIONS`): `used` maps each (path, line)
        of a `# noqa` comment to the codes it suppressed."""
        raise NotImplementedError

    def check_runtime(self, project: "Project", verification: "Verification") -> Iterator[Violation]:
        """What it finds when the static claims are compared with a real import (`Phase.RUNTIME`)."""
        raise NotImplementedError

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def section(cls, title: str) -> str:
        """One section of the documentation ("What it does", "How to fix", ...), without its heading."""
        lines, inside = [], False
        for line in cls.documentation().splitlines():
            if line.startswith("## "):
                inside = line[3:].strip() == title
                continue
            if inside:
                lines.append(line)
        return "\n".join(lines).strip()

    # A message says what is wrong, then "; " and what to do (`Violation.finding` relies on it).
    def violation(self, info: "ModuleInfo", span: Span, message: str, *, subject: Subject,
                  canonical: Optional["Canonical"] = None, chain: Tuple[str, ...] = (),
                  fix: Optional[Fix] = None) -> Violation:
        return self.violation_at(info.file.relpath, span, message, subject=subject, canonical=canonical,
                                  chain=chain, fix=fix)

    def violation_at(self, relpath: str, span: Span, message: str, *, subject: Subject,
                     canonical: Optional["Canonical"] = None, chain: Tuple[str, ...] = (),
                     fix: Optional[Fix] = None) -> Violation:
        return Violation(
            code=self.code, rule=self.name, path=relpath, line=span.line, column=span.column,
            end_line=span.end_line, end_column=span.end_column, message=message,
            symbol=canonical.symbol if canonical else None, chain=chain, subject=subject,
            severity=self.severity, fix=fix,
        )
