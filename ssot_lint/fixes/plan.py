"""Planning the edits of one file: each found in the concrete syntax tree, and refused there unless harmless.

`Plan` finds the node each edit changes by the position the facts recorded,
refuses an edit it cannot prove harmless (the import is not where the analysis
found it, the new name already means something else, the module alias is used
other than as `m.<name>`) or that overlaps one already planned (the next pass of
the fix loop takes it up), and records what each planned node becomes. Once the
fixes are planned, it finds the imports they leave unread, to be removed with
them. `apply.py` then carries the plan out; nothing here changes the tree.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import (
    CodeRange, ExpressionContext, ExpressionContextProvider, MetadataWrapper, ParentNodeProvider, PositionProvider,
    ScopeProvider,
)

from ssot_lint.facts.model import Span
from ssot_lint.facts.read_ast import parse_python
from ssot_lint.fixes.edits import (
    Edit, Fix, ImportName, MoveImport, RenameBinding, ReplaceString, RetargetModuleImport, why_not_import_name,
    why_not_rename,
)
from ssot_lint.fixes.imports import NewImport, bound_name, make_alias


class Plan:
    """The edits, keyed by the nodes they change; built before the tree is transformed."""

    def __init__(self, module: cst.Module, source: bytes, edits: Sequence[Edit]):
        self.module = module
        self.wrapper = MetadataWrapper(module, unsafe_skip_copy=True)  # the nodes stay the module's own
        # Positions of every node cost a walk of the whole tree; moves and strings need only those of the
        # top-level statements they sit in (renames and retargets look at every use in the file).
        local = not any(isinstance(edit, (RenameBinding, RetargetModuleImport, ImportName)) for edit in edits)
        starts = _statement_starts(module, source) if local else None
        if starts is None:
            self.positions = self.wrapper.resolve(PositionProvider)
            self.visitable: Optional[Set[int]] = None
        else:
            self.positions = _positions_near(module, starts, {line for edit in edits for line in _lines(edit)})
            self.visitable = {id(node) for node in self.positions}
        self.at: Dict[Tuple[int, int], List[cst.CSTNode]] = defaultdict(list)
        for node, where in self.positions.items():
            self.at[(where.start.line, where.start.column)].append(node)
        self.claimed: Set[int] = set()  # nodes some planned edit changes
        self.leave_statement: Dict[int, List[Tuple[int, NewImport]]] = defaultdict(list)  # ImportFrom -> moves
        self.names: Dict[int, str] = {}  # Name -> new value
        self.strings: Dict[int, str] = {}  # SimpleString -> new literal
        self.module_of_alias: Dict[int, str] = {}  # `import old as m` alias -> new dotted module
        self.drop_as: Set[int] = set()  # aliases whose `as` becomes redundant
        self.remove: Set[int] = set()  # small statements to delete (`X = X`)
        self.insert_after: Dict[int, List[NewImport]] = defaultdict(list)  # import statement -> imports after it
        self.attributes: Dict[int, str] = {}  # `m.Name` -> `Name`
        self.taken_out: List[cst.CSTNode] = []  # what no longer reads anything: each such `m.Name`, `X = X`
        self.drop: Dict[int, Set[int]] = defaultdict(set)  # import statement -> aliases no read is left of

    def _nodes(self, span: Span, kind) -> List[cst.CSTNode]:
        return [n for n in self.at.get((span.line, span.column - 1), []) if isinstance(n, kind)]

    def _claim(self, *nodes: cst.CSTNode) -> Optional[str]:
        ids = {id(n) for n in nodes}
        if ids & self.claimed:
            return "overlaps another fix in this pass; the next pass applies it"
        self.claimed |= ids
        return None

    def add(self, fix: Fix) -> Optional[str]:
        edit = fix.edit
        if isinstance(edit, MoveImport):
            return self._move(edit)
        if isinstance(edit, RetargetModuleImport):
            return self._retarget(edit)
        if isinstance(edit, ReplaceString):
            return self._string(edit)
        if isinstance(edit, RenameBinding):
            return self._rename(edit)
        if isinstance(edit, ImportName):
            return self._import_name(edit)
        return f"unknown edit {type(edit).__name__}"

    # -- imports -----------------------------------------------------------------------

    def _alias_of(self, edit: Union[MoveImport, RetargetModuleImport], kind):
        """The import statement that binds the edit's name, the alias that does and its index there; or why
        they are not found."""
        statements = self._nodes(edit.statement, kind)
        aliases = self._nodes(edit.alias, cst.ImportAlias)
        if statements and aliases and not isinstance(statements[0].names, cst.ImportStar):
            for index, alias in enumerate(statements[0].names):
                if alias is aliases[0]:
                    if bound_name(alias) != edit.local_name:
                        return f"the import no longer binds {edit.local_name}"
                    return statements[0], alias, index
        return "the import is not where the analysis found it (the file changed)"

    def _move(self, edit: MoveImport) -> Optional[str]:
        found = self._alias_of(edit, cst.ImportFrom)
        if isinstance(found, str):
            return found
        statement, alias, index = found
        refusal = self._claim(alias)
        if refusal:
            return refusal
        self.leave_statement[id(statement)].append(
            (index, NewImport(edit.to_module, make_alias(edit.to_name, edit.local_name), True)))
        return None

    def _retarget(self, edit: RetargetModuleImport) -> Optional[str]:
        is_from = bool(self._nodes(edit.statement, cst.ImportFrom))
        found = self._alias_of(edit, cst.ImportFrom if is_from else cst.Import)
        if isinstance(found, str):
            return found
        statement, alias, index = found
        other_use = "" if edit.attributes is None else self._other_use(edit.local_name, alias, set(edit.attributes))
        if other_use:
            return other_use
        refusal = self._claim(alias)
        if refusal:
            return refusal
        if not is_from:
            self.module_of_alias[id(alias)] = edit.to_module
            return None
        self.leave_statement[id(statement)].append(
            (index, NewImport(edit.to_module, make_alias(edit.to_module, edit.local_name), False)))
        return None

    def _other_use(self, local: str, alias: cst.ImportAlias, attributes: Set[str]) -> str:
        """Does the file use what the alias binds other than by reading `local.<one of attributes>`?
        (Whole, as in `f(local)`; by assigning an attribute; in a string annotation.)"""
        parents = self.wrapper.resolve(ParentNodeProvider)
        contexts = self.wrapper.resolve(ExpressionContextProvider)
        statement = parents[alias]
        scope = self.wrapper.resolve(ScopeProvider).get(statement)
        if scope is None:
            return f"cannot tell the scope of {local}"
        for assignment in scope.assignments[local]:
            if assignment.node is not statement:
                continue
            for access in assignment.references:
                node, parent = access.node, parents.get(access.node)
                if isinstance(node, cst.Name) and isinstance(parent, cst.Attribute) and parent.value is node and \
                        parent.attr.value in attributes and contexts.get(parent) is ExpressionContext.LOAD:
                    continue
                line = self.positions[node].start.line if node in self.positions else "?"
                return f"{local} is used on line {line} other than as {local}.<name>"
        return ""

    # -- strings -------------------------------------------------------------------------

    def _string(self, edit: ReplaceString) -> Optional[str]:
        strings = self._nodes(edit.span, cst.SimpleString)
        if not strings:
            return "the string is not where the analysis found it (the file changed)"
        node = strings[0]
        prefix, quote = node.prefix, node.quote
        body = node.value[len(prefix) + len(quote): len(node.value) - len(quote)]
        if body != edit.old or "\\" in body or "b" in prefix.lower():
            return "the string is written with escapes or as bytes"
        refusal = self._claim(node)
        if refusal:
            return refusal
        self.strings[id(node)] = f"{prefix}{quote}{edit.new}{quote}"
        return None

    # -- `m.Name` -> `Name` ----------------------------------------------------------------

    def _import_name(self, edit: ImportName) -> Optional[str]:
        reads = [n for n in self._nodes(edit.span, cst.Attribute) if get_full_name_for_node(n) == edit.dotted]
        statements = self._nodes(edit.statement, (cst.Import, cst.ImportFrom))
        if not reads or not statements:
            return f"{edit.dotted} is not where the analysis found it (the file changed)"
        read = reads[0]
        if self.wrapper.resolve(ExpressionContextProvider).get(read) is not ExpressionContext.LOAD:
            return f"{edit.dotted} is assigned or deleted here, not read"
        refusal = why_not_import_name(edit.name)
        if refusal:
            return refusal
        scopes = {scope for scope in self.wrapper.resolve(ScopeProvider).values() if scope is not None}
        for scope in scopes:
            for assignment in scope.assignments[edit.name]:
                if not self._is_same_object(assignment, edit.name, edit.same_object):
                    return f"{edit.name} already names something else in this file"
        refusal = self._claim(read)
        if refusal:
            return refusal
        self.attributes[id(read)] = edit.name
        self.taken_out.append(read)
        new = NewImport(edit.to_module, make_alias(edit.name, edit.name), True)
        pending = self.insert_after[id(statements[0])]
        if not any(n.module == new.module and bound_name(n.alias) == edit.name for n in pending):
            pending.append(new)
        return None

    # -- renames -------------------------------------------------------------------------

    def _rename(self, edit: RenameBinding) -> Optional[str]:
        scopes = self.wrapper.resolve(ScopeProvider)
        aliases = self._nodes(edit.span, cst.ImportAlias)
        if aliases:
            alias = aliases[0]
            if bound_name(alias) != edit.old or alias.asname is None:
                return f"the import no longer binds {edit.old}"
            binding_name = alias.asname.name
            anchor = self.wrapper.resolve(ParentNodeProvider)[alias]  # the import statement: the scope's node
        else:
            names = [n for n in self._nodes(edit.span, cst.Name) if n.value == edit.old]
            if not names:
                return f"{edit.old} is not where the analysis found it (the file changed)"
            binding_name = anchor = names[0]
        scope = scopes.get(anchor)
        if scope is None:
            return f"cannot tell the scope of {edit.old}"
        mine = [a for a in scope.assignments[edit.old] if a.node is anchor]
        refusal = why_not_rename(edit.old, len(scope.assignments[edit.old]))
        if refusal or len(mine) != 1:
            return refusal or why_not_rename(edit.old, len(mine))
        references = list(mine[0].references)
        if any(not isinstance(r.node, cst.Name) for r in references):
            return f"{edit.old} is used in a string annotation or as a dotted name"
        for where in {scope, *(scopes.get(r.node) for r in references)}:
            if where is not None and edit.new in where:
                for other in where[edit.new]:
                    if not self._is_same_object(other, edit.new, edit.same_object):
                        return f"{edit.new} already names something else in this file"
        nodes = [binding_name, *(r.node for r in references)]
        assigns = [a for a in self._nodes(edit.span, cst.Assign)
                   if len(a.targets) == 1 and a.targets[0].target is binding_name] if not aliases else []
        # The alias's value is claimed too: a fix that rewrites it (`models.Factory` -> `Factory`, planned
        # first) goes first, and the rename follows in the next pass, removing `EngineFactory = EngineFactory`.
        refusal = self._claim(*nodes, *(a.value for a in assigns))
        if refusal:
            return refusal
        for node in nodes:
            self.names[id(node)] = edit.new
        if aliases:
            if get_full_name_for_node(aliases[0].name) == edit.new:
                self.drop_as.add(id(aliases[0]))
        for assign in assigns:
            if isinstance(assign.value, cst.Name) and assign.value.value == edit.new:
                self.remove.add(id(assign))  # `EngineFactory = EngineFactory` goes
                self.taken_out.append(assign)
        return None

    # -- imports the fixes leave unread --------------------------------------------------

    def drop_unused_imports(self, edits: Sequence[Edit]) -> None:
        """Remove each import alias an applied edit names (`unused_import`) that had reads and has none
        once the plan is carried out. Decided on the file as a whole: fixes that together take out every
        read of `models` remove `from pkg import models`, whichever of them comes last."""
        candidates = sorted({span for span in (getattr(e, "unused_import", None) for e in edits) if span})
        if not candidates or self._reads_names_dynamically():
            return
        gone: Set[int] = set()
        for node in self.taken_out:
            gone |= _subtree(node)
        read_again = {name for node, name in self.names.items() if node not in gone}  # renamed reads
        scopes, parents = self.wrapper.resolve(ScopeProvider), self.wrapper.resolve(ParentNodeProvider)
        for span in candidates:
            aliases = self._nodes(span, cst.ImportAlias)
            if not aliases or id(aliases[0]) in self.claimed:
                continue  # another fix rewrites this import
            alias = aliases[0]
            statement = parents.get(alias)
            scope = scopes.get(statement) if statement is not None else None
            bound = bound_name(alias)
            if scope is None or bound in read_again or isinstance(statement.names, cst.ImportStar):
                continue
            names = {bound} if alias.asname is not None else {bound, get_full_name_for_node(alias.name)}
            reads = [access.node for name in names for assignment in scope.assignments[name]
                     if assignment.node is statement for access in assignment.references]
            if reads and all(id(node) in gone for node in reads):
                self.drop[id(statement)].add(next(i for i, a in enumerate(statement.names) if a is alias))

    def _reads_names_dynamically(self) -> bool:
        """Does the file call `globals()`, `eval` and the like, which may read any name?"""
        return any(isinstance(node, cst.Name) and node.value in _DYNAMIC_READERS for node in self.positions)

    def _is_same_object(self, assignment, name: str, same_object: Sequence[Span]) -> bool:
        """Is an existing binding of `name` one the analysis found to be the same object?"""
        node = assignment.node
        starts = {(s.line, s.column - 1) for s in same_object}
        if isinstance(node, (cst.ImportFrom, cst.Import)) and isinstance(node.names, Sequence):
            return any(bound_name(a) == name and _start(self.positions[a]) in starts for a in node.names)
        return node in self.positions and _start(self.positions[node]) in starts


def _lines(edit: Edit) -> range:
    span = getattr(edit, "statement", None) or getattr(edit, "span")
    return range(span.line, span.end_line + 1)


def _statement_starts(module: cst.Module, source: bytes) -> Optional[List[int]]:
    """The line each top-level statement starts on (its `def`/`class` line, as `ast` says; LibCST agrees),
    or None if `ast` cannot tell."""
    try:
        body = parse_python(source).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    starts, index = [], 0
    for statement in module.body:
        if index >= len(body):
            return None
        starts.append(body[index].lineno)
        index += len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
    return starts if index == len(body) else None


def _positions_near(module: cst.Module, starts: List[int], lines: Set[int]) -> Dict[cst.CSTNode, CodeRange]:
    """Positions of the nodes of the top-level statements that hold any of `lines`, exact as if the whole
    module had been measured: each statement is measured alone, then shifted to where it starts."""
    positions: Dict[cst.CSTNode, CodeRange] = {}
    for index, statement in enumerate(module.body):
        end = starts[index + 1] if index + 1 < len(starts) else float("inf")
        if not any(starts[index] <= line < end for line in lines):
            continue
        alone = MetadataWrapper(cst.Module(body=[statement]), unsafe_skip_copy=True).resolve(PositionProvider)
        shift = starts[index] - alone[statement].start.line
        for node, where in alone.items():
            if isinstance(node, cst.Module):
                continue
            positions[node] = CodeRange((where.start.line + shift, where.start.column),
                                        (where.end.line + shift, where.end.column))
    return positions


_DYNAMIC_READERS = frozenset({"globals", "locals", "vars", "eval", "exec"})


def _subtree(node: cst.CSTNode) -> Set[int]:
    ids, stack = set(), [node]
    while stack:
        node = stack.pop()
        ids.add(id(node))
        stack.extend(node.children)
    return ids


def _start(where) -> Tuple[int, int]:
    return (where.start.line, where.start.column)

