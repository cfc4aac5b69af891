"""Import-statement surgery on LibCST nodes, keeping the statement's parentheses, commas and comments.

Which name an alias binds and a new alias for a name; an import less some of its
names; the names that move to another module split off into imports of their own;
two aliases that a rename made the same kept once; and a new `from m import X`
joined to an import of `m` in the same block, where binding X there changes
nothing. `apply.py` uses these to carry out a plan; nothing here decides what to
change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Set, Tuple

import libcst as cst
from libcst.helpers import get_full_name_for_node


@dataclass
class NewImport:
    """A statement the fix adds after the one it came from: `from module import ...` or `import module as x`."""

    module: str  # as written, with leading dots when relative
    alias: cst.ImportAlias
    is_from: bool


def bound_name(alias: cst.ImportAlias) -> str:
    """The name the alias binds: `b` for `a as b`, `a` for `a.c`."""
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return (get_full_name_for_node(alias.name) or "").split(".")[0]


def make_alias(name: str, local: str) -> cst.ImportAlias:
    """An alias importing `name` that binds `local`: `name as local`, or just `name` when that is `local`."""
    dotted = cst.parse_expression(name)
    tail = name.rpartition(".")[2]
    asname = None if local == name or (local == tail and "." not in name) else cst.AsName(cst.Name(local))
    return cst.ImportAlias(name=dotted, asname=asname)  # type: ignore[arg-type]


def without(statement: cst.BaseSmallStatement, indices: Set[int]) -> Optional[cst.BaseSmallStatement]:
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


def split_off(statement: cst.ImportFrom, moves: List[Tuple[int, NewImport]],
              dropped: Set[int]) -> Tuple[Optional[cst.BaseSmallStatement], List[cst.BaseSmallStatement]]:
    """The import less its aliases at the moves' indices and at `dropped` (None if none is left), and the
    moved ones as new imports, one for each module they go to, in the order of the aliases."""
    rest = without(statement, {index for index, _ in moves} | dropped)
    groups: Dict[Tuple[str, bool], List[Tuple[int, NewImport]]] = {}
    for index, new in sorted(moves, key=lambda item: item[0]):
        groups.setdefault((new.module, new.is_from), []).append((index, new))
    return rest, [_moved(statement, items, fresh=rest is not None and len(items) == 1) for items in groups.values()]


def _moved(statement: cst.ImportFrom, items: List[Tuple[int, NewImport]], fresh: bool) -> cst.BaseSmallStatement:
    """The aliases at the items' indices, renamed, imported from their new module: the statement's own
    parentheses and the aliases' commas and comments are kept, unless `fresh` (one name split off)."""
    module, is_from = items[0][1].module, items[0][1].is_from
    chosen = {index for index, _ in items}
    only = without(statement, set(range(len(statement.names))) - chosen)
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


def deduplicated(statement: cst.ImportFrom) -> cst.ImportFrom:
    """The import with each alias that repeats an earlier one (the same name, bound as the same) left out."""
    seen, repeated = set(), set()
    for index, alias in enumerate(statement.names):
        key = (get_full_name_for_node(alias.name), bound_name(alias))
        if key in seen:
            repeated.add(index)
        seen.add(key)
    result = without(statement, repeated) if repeated else statement
    assert isinstance(result, cst.ImportFrom)
    return result


def lone_import(line: cst.BaseStatement) -> Optional[NewImport]:
    """A line holding just `from m import X` (one name, no parentheses): it may join another import."""
    statement = _only_from_import(line)
    if statement is None or len(statement.names) != 1 or statement.lpar is not None:
        return None
    return NewImport(_module_written(statement), statement.names[0], True)


def _only_from_import(line: cst.BaseStatement) -> Optional[cst.ImportFrom]:
    """The `from m import names` statement (not `*`) that is all the line holds, if it is one."""
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return None
    statement = line.body[0]
    if not isinstance(statement, cst.ImportFrom) or isinstance(statement.names, cst.ImportStar):
        return None
    return statement


def has_comment(line: cst.CSTNode) -> bool:
    """Does a comment go with the line (above it or at its end)? Anything but a simple line is taken to."""
    if not isinstance(line, cst.SimpleStatementLine):
        return True
    return line.trailing_whitespace.comment is not None or any(e.comment is not None for e in line.leading_lines)


def join_back(result: List[cst.BaseStatement], new: NewImport) -> bool:
    """Join `new` to the nearest `from <its module> import ...` of `result` (the block up to it) that no
    line after it mentions the name `new` binds; False if there is none."""
    return _join(result, range(len(result) - 1, -1, -1), new, _mentions)


def join_forward(body: List[cst.BaseStatement], position: int, new: NewImport) -> bool:
    """Join `new` (at `position` in `body`, its block) to the next `from <its module> import ...`, if only
    imports that do not mention the name `new` binds lie between; False if there is none."""
    return _join(body, range(position + 1, len(body)), new,
                 lambda line, bound: not _imports_only(line) or _mentions(line, bound))


def _join(lines: List[cst.BaseStatement], order: range, new: NewImport,
          stops: Callable[[cst.BaseStatement, str], bool]) -> bool:
    """Join `new` to the first of the lines, taken in `order`, that `_merge_into` can join it to, unless
    a line that `stops` it (given the name `new` binds) comes first."""
    bound = bound_name(new.alias)
    for index in order:
        merged = _merge_into(lines[index], new)
        if merged is not None:
            lines[index] = merged
            return True
        if stops(lines[index], bound):
            return False
    return False


def _merge_into(line: cst.BaseStatement, new: NewImport) -> Optional[cst.SimpleStatementLine]:
    """`line` with `new`'s alias added, if it is a lone `from <same module> import names` statement."""
    statement = _only_from_import(line)
    if statement is None or _module_written(statement) != new.module:
        return None
    names = list(statement.names)
    bound = bound_name(new.alias)
    if any(bound_name(a) == bound for a in names):
        if any(bound_name(a) == bound and get_full_name_for_node(a.name) == get_full_name_for_node(new.alias.name)
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


def _module_written(statement: cst.ImportFrom) -> str:
    return "." * len(statement.relative) + (get_full_name_for_node(statement.module) or "" if statement.module else "")


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
