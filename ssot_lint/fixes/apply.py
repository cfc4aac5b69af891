"""Applying fixes to one file's source, as a LibCST transform that keeps everything else as it was.

`fix_source(source, fixes)` plans every edit against the file's concrete syntax
tree (`plan.py`: finding each node by the position the facts recorded, refusing
an edit it cannot prove harmless or that overlaps one already planned, which the
next pass of the fix loop takes up), transforms the tree once (the import
statements with `imports.py`), and checks that the result still parses.
Comments, parentheses, trailing commas, the encoding, the BOM and the line
endings are the tree's, so they survive. Nothing here writes files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

import libcst as cst

from ssot_lint.facts.read_ast import parse_python
from ssot_lint.fixes.edits import Fix, RenameBinding
from ssot_lint.fixes.imports import deduplicated, has_comment, join_back, join_forward, lone_import, split_off, without
from ssot_lint.fixes.plan import Plan


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
        plan = Plan(module, source, [f.edit for f in unique])
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


class _Applier(cst.CSTTransformer):
    """Carries out a plan in one pass over the tree."""

    def __init__(self, plan: Plan):
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
        return deduplicated(updated)

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
                rest = without(after, dropped) if dropped else after
                kept.extend([rest] if rest is not None else [])
                continue
            rest, statements = split_off(after, moves, dropped)
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
            new = lone_import(statement) if id(statement) in self.added else None
            if carried and hasattr(statement, "leading_lines"):
                statement = statement.with_changes(leading_lines=[*carried, *statement.leading_lines])
                carried = []
            if new is None or has_comment(statement) or \
                    not (join_back(result, new) or join_forward(body, position, new)):
                result.append(statement)
        return result
