"""Where the checked modules read names from other modules (import sites), and what stands in for a canonical
(wrappers): the two things most rules look through, found once for all of them (`Project`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, List, Optional, Set, Tuple, Union

from ssot_lint.analysis.canonical import Canonical
from ssot_lint.analysis.graph import ModuleInfo
from ssot_lint.analysis.resolve import Definition, Resolution, TargetKind, assumption
from ssot_lint.facts.model import AttributeRef, Binding, BindingKind, ClassFact, FunctionFact, Span

if TYPE_CHECKING:
    from ssot_lint.analysis.project import Project


@dataclass(frozen=True)
class ImportSite:
    """A place that reads a name from another module: an import, or `m.Name` off an imported module."""

    info: ModuleInfo
    span: Span
    resolution: Resolution
    source_module: Optional[str]  # the module it reads from (absolute), None if unknown
    name: Optional[str]  # the name read from it (None for `import module`)
    local_name: str  # the name bound or written here
    binding: Optional[Binding] = None
    attribute: Optional[AttributeRef] = None

    @property
    def context(self):
        return self.binding.context if self.binding is not None else self.attribute.context

    @property
    def is_star(self) -> bool:
        return self.local_name == "*"

    @cached_property
    def through(self) -> Tuple[str, ...]:
        """Modules other than this one and the definition's, whose bindings the name went through."""
        return tuple(m for m in self.resolution.through_modules if m != self.info.name)


@dataclass(frozen=True)
class Wrapper:
    """A class or function that stands in for a canonical: it subclasses it, or is named like it and
    calls or constructs it in its body."""

    info: ModuleInfo
    defined: Union[ClassFact, FunctionFact]
    how: str  # "subclasses" or "delegates to"

    @property
    def kind(self) -> str:
        return "class" if isinstance(self.defined, ClassFact) else "function"

    @property
    def definition(self) -> Definition:
        """Its identity, as `Resolution.definition` gives it."""
        return Definition(self.info.name, self.defined.qualname, self.defined.span.line)


# -- import sites ------------------------------------------------------------------------------------------


def module_import_sites(project: "Project", info: ModuleInfo) -> Tuple[ImportSite, ...]:
    """Every import, and `m.Name` read off an imported module, in a checked module, resolved; but only
    those that can matter (`Project.may_matter`): most imports of a large project name nothing tracked,
    and resolving them was most of the rules' time."""
    sites: List[ImportSite] = []
    resolver, graph = project.resolver, project.graph
    for binding in info.rule_facts.bindings:
        if not binding.is_import:
            continue
        source = graph.absolute(info, binding)
        if binding.kind is BindingKind.IMPORT_MODULE:
            sites.append(ImportSite(info, binding.span, resolver.resolve_module(binding.module or ""),
                                    binding.module, None, binding.name, binding=binding))
        elif binding.kind is BindingKind.STAR:
            sites.append(ImportSite(info, binding.span, resolver.resolve_import_binding(info, binding),
                                    source, None, "*", binding=binding))
        elif project.follows_import(info, binding, source):
            sites.append(ImportSite(info, binding.span, resolver.resolve_binding(info, binding),
                                    source, binding.imported_name, binding.name, binding=binding))
    roots = _roots_that_may_matter(project, info)
    for ref in info.rule_facts.attribute_refs:
        if roots is not None and ref.dotted.split(".", 1)[0] not in roots and not project.may_matter(ref.dotted):
            continue
        site = _attribute_site(project, info, ref)
        if site is not None:
            sites.append(site)
    return tuple(sites)


def _roots_that_may_matter(project: "Project", info: ModuleInfo) -> Optional[Set[str]]:
    """The names a module binds (in any scope) by an import or alias whose path may matter: `m.X` off
    one of them may read something tracked even when `m.X` names nothing tracked itself. None: any."""
    if project.tokens is None:
        return None
    roots = set()
    for binding in info.structure.bindings:
        if binding.kind is not BindingKind.STAR and project.may_matter(project.path_named_by(info, binding)):
            roots.add(binding.name)
    return roots


def _attribute_site(project: "Project", info: ModuleInfo, ref: AttributeRef) -> Optional[ImportSite]:
    """`m.Name` where `m` is a module: the site of reading Name off that module."""
    resolver = project.resolver
    parts = ref.dotted.split(".")
    resolution = resolver.lookup_in_scope(info, ref.context.qualname, parts[0], assume=assumption(ref.context))
    if resolution is None or resolution.kind is not TargetKind.MODULE or \
            not project.may_matter(f"{resolution.module}.{'.'.join(parts[1:])}"):
        return None
    for index, attribute in enumerate(parts[1:], start=1):
        if resolution.kind is not TargetKind.MODULE:
            return None
        module = resolution.module or ""
        step = resolver.resolve_import(module, attribute)
        step = replace(step, hops=resolution.hops + step.hops)
        if step.kind is not TargetKind.MODULE:
            return ImportSite(info, ref.span, step, module, attribute, ".".join(parts[: index + 1]), attribute=ref)
        resolution = step
    return None


# -- wrappers ------------------------------------------------------------------------------------------------


def module_wrappers(project: "Project", info: ModuleInfo) -> Tuple[Tuple[str, Wrapper], ...]:
    """The classes and functions of a checked module that stand in for a canonical (outside its module), each
    with the canonical's symbol."""
    found: List[Tuple[str, Wrapper]] = []
    facts = info.rule_facts
    functions = [f for f in facts.functions if not f.is_method]
    for canonical in project.canonicals:
        if canonical.is_home(info.name):
            continue
        for defined in (*facts.classes, *functions):
            how = _wraps(project, info, defined, canonical)
            if how:
                found.append((canonical.symbol, Wrapper(info, defined, how)))
    return tuple(found)


def _wraps(project: "Project", info: ModuleInfo, defined: Union[ClassFact, FunctionFact],
           canonical: Canonical) -> Optional[str]:
    """How a class or function stands in for the canonical, if it does.

    A subclass stands in for it only where it is meant to replace it: in a declared shim, or named
    like it, or when the canonical is declared `final`; any other subclass is an ordinary use of a
    class designed to be subclassed. A class or function named like the canonical delegates to it
    when its body calls or constructs it."""
    named_like = canonical.stood_in_for_by(defined.name)
    if isinstance(defined, ClassFact) and defined.bases and \
            (named_like or canonical.spec.final or canonical.is_shim(info.name)):  # (else no stand-in)
        before = _order_of(info, defined)
        for base in defined.bases:
            if canonical.is_canonical(project.resolve_expression(info, base, defined.context, before)):
                return "subclasses"
    if not named_like or defined.name.startswith(("Test", "test")):
        return None  # a test case or test function is no stand-in
    inside, branches = defined.qualname + ".", defined.context.all_branches
    for call in info.rule_facts.calls:
        # In its body: below its name, and in the same branch (a fallback of the same name is another body).
        if (call.context.qualname + ".").startswith(inside) and \
                call.context.all_branches[:len(branches)] == branches and \
                canonical.is_canonical(project.resolve_call(info, call)):
            return "delegates to"
    return None


def _order_of(info: ModuleInfo, defined: ClassFact) -> Optional[int]:
    """The source order of a class statement: its bases are evaluated before it binds its name."""
    for binding in info.scopes.get(defined.context.qualname, ()):
        if binding.kind is BindingKind.CLASS and binding.span == defined.span:
            return binding.order
    return None
