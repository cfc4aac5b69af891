"""The syntax-neutral fact builder shared by both readers (read_ast, read_cst)."""

from __future__ import annotations

from typing import Sequence

from ssot_lint.facts.model import BindingKind, FileFacts, NoqaComment


def assemble_facts(collector, noqa: Sequence[NoqaComment]) -> FileFacts:
    """The facts a collector gathered (either extractor's), less what no later question can need:
    `m.Name` chains whose root no import binds, and a function's local names that no call, alias,
    attribute chain or base ever looks up (most local variables: a third of a file's facts)."""
    imported = {b.name for b in collector.bindings if b.kind in (BindingKind.IMPORT_MODULE, BindingKind.IMPORT_FROM)}
    attribute_refs = tuple(r for r in collector.attribute_refs if r.dotted.split(".", 1)[0] in imported)
    looked_up = {call.callee.split(".", 1)[0] for call in collector.calls}
    looked_up.update(ref.dotted.split(".", 1)[0] for ref in attribute_refs)
    looked_up.update(b.value.split(".", 1)[0] for b in collector.bindings if b.kind is BindingKind.ALIAS)
    looked_up.update(base.split(".", 1)[0] for cls in collector.classes for base in cls.bases)
    bindings = tuple(b for b in collector.bindings if b.kind is not BindingKind.ASSIGN
                     or not b.context.in_function or b.name in looked_up)
    left_out = {b.name for b in collector.bindings if b.kind is BindingKind.ASSIGN and b.context.in_function
                and b.name not in looked_up}
    return FileFacts(
        local_names=tuple(sorted(left_out)),
        bare_names=tuple(sorted(collector.bare_names & imported)),
        bindings=bindings,
        classes=tuple(collector.classes),
        functions=tuple(collector.functions),
        calls=tuple(collector.calls),
        strings=tuple(collector.strings),
        attribute_refs=attribute_refs,
        noqa=tuple(noqa),
        all_names=tuple(collector.all_names) if collector.all_names is not None else None,
        all_is_dynamic=collector.all_is_dynamic,
    )
