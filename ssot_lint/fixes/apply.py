"""Applying fixes to one file's source, as a LibCST transform that keeps everything else as it was.

`fix_source(source, fixes)` plans every edit against the file's concrete syntax
tree (finding each node by the position the facts recorded), refuses an edit it
cannot prove harmless or that overlaps one already planned (the next pass of the
fix loop takes it up), transforms the tree once, and checks that the result still
parses. Comments, parentheses, trailing commas, the encoding, the BOM and the line
endings are the tree's, so they survive. Nothing here writes files.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Set, Tuple

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


@dataclass(frozen=True)
class FixedFile:
    """The new source, and what became of each fix asked for."""

    source: bytes
    applied: Tuple[Fix, ...]
    refused: Tuple[Tuple[Fix, str], ...]  # each with why it was not applied


def fix_source(source: bytes, fixes: Sequence[Fix]) -> FixedFile:
    unique = sorted(set(fixes), key=_fix_position)
    try:
        module = cst.parse_module(source)
    except Exception as exc:  # LibCST cannot read this file (its parser is not CPython's): leave it alone
        reason = f"LibCST cannot parse the file ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
        return FixedFile(source, (), tuple((f, reason) for f in unique))
    applied, refused = [], []
    try:
        plan = _Plan(module, source, [f.edit for f in unique])
        for fix in unique:
            reason = plan.add(fix)
            if reason is None:
                applied.append(fix)
            else:
                refused.append((fix, reason))
        if not applied:
            return FixedFile(source, (), tuple(refused))
        plan.drop_unused_imports([fix.edit for fix in applied])
        new_source = module.visit(_Applier(plan)).bytes
    except (RecursionError, MemoryError, ValueError, TypeError, AttributeError) as exc:  # LibCST's limits
        reason = f"LibCST could not transform the file ({type(exc).__name__})"
        return FixedFile(source, (), tuple((f, reason) for f in unique))
    problem = _does_not_parse(new_source, source)
    if problem:
        return FixedFile(source, (), tuple(refused) + tuple((f, problem) for f in applied))
    return FixedFile(new_source, tuple(applied), tuple(refused))


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


def _fix_position(fix: Fix) -> tuple:
    """Renames last (they yield to a fix of the value they alias), the others in the order of the file."""
    span = getattr(fix.edit, "alias", None) or getattr(fix.edit, "span")
    return (isinstance(fix.edit, RenameBinding), span.line, span.column, type(fix.edit).__name__, repr(fix.edit))


def _does_not_parse(new: bytes, old: bytes) -> str:
    """Why the fixed code cannot be written, or ''. Checked by CPython when it can read the original."""
    try:
        parse_python(old)
    except (SyntaxError, ValueError):
        try:
            cst.parse_module(new)
            return ""
        except Exception:
            return "the fixed code would not parse"
    try:
        parse_python(new)
        return ""
    except (SyntaxError, ValueError):
        return "the fixed code would not parse"


@dataclass
class _NewImport:
    """A statement the fix adds after the one it came from: `from module import ...` or `import module as x`."""

    module: str  # as written, with leading dots when relative
    alias: cst.ImportAlias
    is_from: bool


class _Plan:
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
        self.leave_statement: Dict[int, List[Tuple[int, _NewImport]]] = defaultdict(list)  # ImportFrom -> moves
        self.names: Dict[int, str] = {}  # Name -> new value
        self.strings: Dict[int, str] = {}  # SimpleString -> new literal
        self.module_of_alias: Dict[int, str] = {}  # `import old as m` alias -> new dotted module
        self.drop_as: Set[int] = set()  # aliases whose `as` becomes redundant
        self.remove: Set[int] = set()  # small statements to delete (`X = X`)
        self.insert_after: Dict[int, List[_NewImport]] = defaultdict(list)  # import statement -> imports after it
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

    def _alias_in(self, statement_span: Span, alias_span: Span, kind):
        statements = self._nodes(statement_span, kind)
        aliases = self._nodes(alias_span, cst.ImportAlias)
        if not statements or not aliases or isinstance(statements[0].names, cst.ImportStar):
            return None, None, -1
        statement = statements[0]
        for index, alias in enumerate(statement.names):
            if alias is aliases[0]:
                return statement, alias, index
        return None, None, -1

    def _move(self, edit: MoveImport) -> Optional[str]:
        statement, alias, index = self._alias_in(edit.statement, edit.alias, cst.ImportFrom)
        if statement is None:
            return "the import is not where the analysis found it (the file changed)"
        if _bound_name(alias) != edit.local_name:
            return f"the import no longer binds {edit.local_name}"
        refusal = self._claim(alias)
        if refusal:
            return refusal
        self.leave_statement[id(statement)].append(
            (index, _NewImport(edit.to_module, _make_alias(edit.to_name, edit.local_name), True)))
        return None

    def _retarget(self, edit: RetargetModuleImport) -> Optional[str]:
        is_from = bool(self._nodes(edit.statement, cst.ImportFrom))
        statement, alias, index = self._alias_in(edit.statement, edit.alias,
                                                 cst.ImportFrom if is_from else cst.Import)
        if statement is None:
            return "the import is not where the analysis found it (the file changed)"
        if _bound_name(alias) != edit.local_name:
            return f"the import no longer binds {edit.local_name}"
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
            (index, _NewImport(edit.to_module, _make_alias(edit.to_module, edit.local_name), False)))
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
        new = _NewImport(edit.to_module, _make_alias(edit.name, edit.name), True)
        pending = self.insert_after[id(statements[0])]
        if not any(n.module == new.module and _bound_name(n.alias) == edit.name for n in pending):
            pending.append(new)
        return None

    # -- renames -------------------------------------------------------------------------

    def _rename(self, edit: RenameBinding) -> Optional[str]:
        scopes = self.wrapper.resolve(ScopeProvider)
        aliases = self._nodes(edit.span, cst.ImportAlias)
        if aliases:
            alias = aliases[0]
            if _bound_name(alias) != edit.old or alias.asname is None:
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
            bound = _bound_name(alias)
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
            return any(_bound_name(a) == name and _start(self.positions[a]) in starts for a in node.names)
        return node in self.positions and _start(self.positions[node]) in starts


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


def _bound_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return (get_full_name_for_node(alias.name) or "").split(".")[0]


def _make_alias(name: str, local: str) -> cst.ImportAlias:
    dotted = cst.parse_expression(name)
    tail = name.rpartition(".")[2]
    asname = None if local == name or (local == tail and "." not in name) else cst.AsName(cst.Name(local))
    return cst.ImportAlias(name=dotted, asname=asname)  # type: ignore[arg-type]


class _Applier(cst.CSTTransformer):
    """Carries out a plan in one pass over the tree."""

    def __init__(self, plan: _Plan):
        super().__init__()
        self.plan = plan
        self.moved: List[cst.BaseSmallStatement] = []  # imports this pass moved (kept alive: ids stay unique)
        self.added: Dict[int, cst.SimpleStatementLine] = {}  # the lines holding them
        self.removed: Dict[int, cst.SimpleStatementLine] = {}  # lines left empty, until their block drops them

    def on_visit(self, node: cst.CSTNode) -> bool:
        visitable = self.plan.visitable  # only the statements holding an edit, when those alone were measured
        if visitable is not None and id(node) not in visitable and not isinstance(node, cst.Module):
            return False
        return super().on_visit(node)

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        new = self.plan.names.get(id(original))
        return updated.with_changes(value=new) if new is not None else updated

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        name = self.plan.attributes.get(id(original))
        return cst.Name(name, lpar=updated.lpar, rpar=updated.rpar) if name is not None else updated

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString) -> cst.SimpleString:
        new = self.plan.strings.get(id(original))
        return updated.with_changes(value=new) if new is not None else updated

    def leave_ImportAlias(self, original: cst.ImportAlias, updated: cst.ImportAlias) -> cst.ImportAlias:
        module = self.plan.module_of_alias.get(id(original))
        if module is not None:
            updated = updated.with_changes(name=cst.parse_expression(module))
        if id(original) in self.plan.drop_as:
            updated = updated.with_changes(asname=None)
        return updated

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
        """Two aliases renamed to one name (`import F as A, F as B` -> `import F, F`): keep one."""
        if isinstance(original.names, cst.ImportStar) or \
                not any(id(alias) in self.plan.drop_as for alias in original.names):
            return updated
        seen, repeated = set(), set()
        for index, alias in enumerate(updated.names):
            key = (get_full_name_for_node(alias.name), _bound_name(alias))
            if key in seen:
                repeated.add(index)
            seen.add(key)
        result = _without(updated, repeated) if repeated else updated
        assert isinstance(result, cst.ImportFrom)
        return result

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        plan = self.plan
        if not any(id(s) in plan.leave_statement or id(s) in plan.remove or id(s) in plan.insert_after
                   or id(s) in plan.drop for s in original.body):
            return updated
        kept: List[cst.BaseSmallStatement] = []
        added: List[cst.BaseSmallStatement] = []
        for before, after in zip(original.body, updated.body):
            if id(before) in plan.remove:
                continue
            for new in plan.insert_after.get(id(before), ()):
                fresh = cst.ImportFrom(module=cst.parse_expression(new.module), names=[new.alias])
                self.moved.append(fresh)
                added.append(fresh)
            moves = plan.leave_statement.get(id(before))
            dropped = plan.drop.get(id(before), set())
            if not moves:
                rest = _without(after, dropped) if dropped else after
                kept.extend([rest] if rest is not None else [])
                continue
            rest = _without(after, {index for index, _ in moves} | dropped)
            groups: Dict[Tuple[str, bool], List[Tuple[int, _NewImport]]] = {}
            for index, new in sorted(moves, key=lambda item: item[0]):
                groups.setdefault((new.module, new.is_from), []).append((index, new))
            statements = [_moved(after, items, fresh=rest is not None and len(items) == 1)
                          for items in groups.values()]
            self.moved.extend(statements)
            if rest is None and len(statements) == 1:  # everything goes to one module: rewritten in place
                kept.append(statements[0])
            else:
                kept.extend([rest] if rest is not None else [])
                added.extend(statements)
        lines: List[cst.SimpleStatementLine] = []
        if kept:
            last = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
            if any(kept[-1] is statement for statement in self.moved):
                self.moved.append(last)
            kept[-1] = last
            lines.append(updated.with_changes(body=kept))
        for statement in added:
            line = cst.SimpleStatementLine(body=[statement])
            if not lines:  # the new import takes the old one's place, with its comments
                line = line.with_changes(leading_lines=updated.leading_lines,
                                         trailing_whitespace=updated.trailing_whitespace)
            lines.append(line)
        moved = {id(statement) for statement in self.moved}
        for line in lines:
            if any(id(statement) in moved for statement in line.body):
                self.added[id(line)] = line
        if not lines:  # a placeholder, so that the block can hand its blank lines and comments on
            placeholder = updated.with_changes(body=[cst.Pass()])
            self.removed[id(placeholder)] = placeholder
            return placeholder
        return cst.FlattenSentinel(lines)

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        body = self._merged(list(updated.body))
        return updated.with_changes(body=body or [cst.SimpleStatementLine(body=[cst.Pass()])])

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        return updated.with_changes(body=self._merged(list(updated.body)))

    def _merged(self, body: List[cst.BaseStatement]) -> List[cst.BaseStatement]:
        """Each `from m import X` this pass added joins a plain `from m import ...` of the same block: an
        earlier one when nothing between mentions X, else a later one when only imports that do not
        mention X lie between (so binding X earlier or later changes nothing)."""
        body = list(body)
        result: List[cst.BaseStatement] = []
        carried: List[cst.EmptyLine] = []  # the blank lines and comments above a removed line
        for position, statement in enumerate(body):
            if id(statement) in self.removed:
                carried.extend(statement.leading_lines)  # type: ignore[attr-defined]
                continue
            new = _lone_import(statement) if id(statement) in self.added else None
            if carried and hasattr(statement, "leading_lines"):
                statement = statement.with_changes(leading_lines=[*carried, *statement.leading_lines])
                carried = []
            if new is None or _has_comment(statement) or \
                    not (self._merge_back(result, new) or self._merge_forward(body, position, new)):
                result.append(statement)
        return result

    @staticmethod
    def _merge_back(result: List[cst.BaseStatement], new: _NewImport) -> bool:
        bound = _bound_name(new.alias)
        for index in range(len(result) - 1, -1, -1):
            merged = _merge_into(result[index], new)
            if merged is not None:
                result[index] = merged
                return True
            if _mentions(result[index], bound):
                return False
        return False

    @staticmethod
    def _merge_forward(body: List[cst.BaseStatement], position: int, new: _NewImport) -> bool:
        bound = _bound_name(new.alias)
        for index in range(position + 1, len(body)):
            merged = _merge_into(body[index], new)
            if merged is not None:
                body[index] = merged
                return True
            if not _imports_only(body[index]) or _mentions(body[index], bound):
                return False
        return False


def _imports_only(line: cst.BaseStatement) -> bool:
    return isinstance(line, cst.SimpleStatementLine) and \
        all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in line.body)


class _NameFinder(cst.CSTVisitor):
    def __init__(self, name: str):
        super().__init__()
        self.name, self.found = name, False

    def visit_Name(self, node: cst.Name) -> None:
        self.found = self.found or node.value == self.name


def _mentions(node: cst.CSTNode, name: str) -> bool:
    finder = _NameFinder(name)
    node.visit(finder)
    return finder.found


def _moved(statement: cst.ImportFrom, items: List[Tuple[int, _NewImport]], fresh: bool) -> cst.BaseSmallStatement:
    """The aliases at the items' indices, renamed, imported from their new module: the statement's own
    parentheses and the aliases' commas and comments are kept, unless `fresh` (one name split off)."""
    module, is_from = items[0][1].module, items[0][1].is_from
    chosen = {index for index, _ in items}
    only = _without(statement, set(range(len(statement.names))) - chosen)
    assert isinstance(only, cst.ImportFrom)
    if fresh:
        only = cst.ImportFrom(module=only.module, relative=only.relative,
                              names=[only.names[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)])
    renamed = [alias.with_changes(name=new.alias.name, asname=new.alias.asname)
               for alias, (_, new) in zip(only.names, items)]
    if not is_from:
        renamed[-1] = renamed[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return cst.Import(names=renamed)
    dots = len(module) - len(module.lstrip("."))
    dotted = module[dots:]
    return only.with_changes(module=cst.parse_expression(dotted) if dotted else None, names=renamed,
                             relative=[cst.Dot()] * dots)


def _lone_import(line: cst.BaseStatement) -> Optional[_NewImport]:
    """A line holding just `from m import X` (one name, no parentheses): it may join another import."""
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return None
    statement = line.body[0]
    if not isinstance(statement, cst.ImportFrom) or isinstance(statement.names, cst.ImportStar) or \
            len(statement.names) != 1 or statement.lpar is not None:
        return None
    return _NewImport(_module_written(statement), statement.names[0], True)


def _module_written(statement: cst.ImportFrom) -> str:
    return "." * len(statement.relative) + (get_full_name_for_node(statement.module) or "" if statement.module else "")


def _has_comment(line: cst.CSTNode) -> bool:
    if not isinstance(line, cst.SimpleStatementLine):
        return True
    return line.trailing_whitespace.comment is not None or any(e.comment is not None for e in line.leading_lines)


def _merge_into(line: cst.BaseStatement, new: _NewImport) -> Optional[cst.SimpleStatementLine]:
    """`line` with `new`'s alias added, if it is a lone `from <same module> import names` statement."""
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return None
    statement = line.body[0]
    if not isinstance(statement, cst.ImportFrom) or isinstance(statement.names, cst.ImportStar) or \
            _module_written(statement) != new.module:
        return None
    names = list(statement.names)
    bound = _bound_name(new.alias)
    if any(_bound_name(a) == bound for a in names):
        if any(_bound_name(a) == bound and get_full_name_for_node(a.name) == get_full_name_for_node(new.alias.name)
               for a in names):
            return line  # already imported just so
        return None
    last = names[-1]
    if statement.lpar is None:
        names[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        names.append(new.alias)
    elif isinstance(last.comma, cst.Comma):  # a trailing comma: the new name goes on a line of its own
        closing = last.comma  # after the last name: its comment, then the indentation of `)`
        between = names[-2].comma if len(names) > 1 else cst.Comma(whitespace_after=statement.lpar.whitespace_after)
        middle, end = between, closing
        if isinstance(between, cst.Comma) and isinstance(between.whitespace_after, cst.ParenthesizedWhitespace) \
                and isinstance(closing.whitespace_after, cst.ParenthesizedWhitespace):
            # The old last name keeps its comment and is indented like the names; the new one closes the list.
            middle = between.with_changes(whitespace_after=between.whitespace_after.with_changes(
                first_line=closing.whitespace_after.first_line))
            end = closing.with_changes(whitespace_after=closing.whitespace_after.with_changes(
                first_line=cst.TrailingWhitespace()))
        names[-1] = last.with_changes(comma=middle)
        names.append(new.alias.with_changes(comma=end))
    else:
        names[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        names.append(new.alias)
    return line.with_changes(body=[statement.with_changes(names=names)])


def _without(statement: cst.BaseSmallStatement, indices: Set[int]) -> Optional[cst.BaseSmallStatement]:
    """The import less the aliases at `indices`; None if none is left."""
    assert isinstance(statement, (cst.Import, cst.ImportFrom)) and not isinstance(statement.names, cst.ImportStar)
    names = list(statement.names)
    kept = [a for i, a in enumerate(names) if i not in indices]
    if not kept:
        return None
    removed_last = (len(names) - 1) in indices
    if getattr(statement, "lpar", None) is None:  # (`import a, b` has no parentheses)
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    elif removed_last:  # the new last name closes the list as the old last did, keeping its own comment
        closing = names[-1].comma
        own = kept[-1].comma
        if isinstance(closing, cst.Comma) and isinstance(own, cst.Comma) and \
                isinstance(closing.whitespace_after, cst.ParenthesizedWhitespace) and \
                isinstance(own.whitespace_after, cst.ParenthesizedWhitespace):
            closing = closing.with_changes(whitespace_after=closing.whitespace_after.with_changes(
                first_line=own.whitespace_after.first_line))
        kept[-1] = kept[-1].with_changes(comma=closing)
    return statement.with_changes(names=kept)
