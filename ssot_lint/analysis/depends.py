"""Answers kept across analyses, each with the modules it read: what a resident analysis (engine/workspace.py)
keeps between edits.

While an answer is computed, every module read (the resolver's lookups, a module's facts) is noted in its
frame; an answer computed inside another's adds its modules to the outer one, and so does an answer
found remembered. When files change, `forget(modules)` drops exactly the answers that read one of them:
every other answer is what a fresh analysis would compute again.

`DependentAnswers(tracking=False)` (a one-off `check`) remembers answers without any of this bookkeeping.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Hashable, Iterable, List, Set

_EMPTY: FrozenSet[str] = frozenset()
UNSET = object()  # `remembered.get(key, UNSET)`: no answer (None is one)


class DependentAnswers:
    def __init__(self, tracking: bool = False):
        self.tracking = tracking
        self.remembered: Dict[Hashable, object] = {}
        self._reads: Dict[Hashable, FrozenSet[str]] = {}  # (tracking) the modules each answer read
        self._readers: Dict[str, Set[Hashable]] = {}  # (tracking) the answers that read each module
        self._frames: List[Set[str]] = []  # (tracking) the modules read by each answer being computed
        self._interned: Dict[Hashable, Hashable] = {}

    def __contains__(self, key: Hashable) -> bool:
        return key in self.remembered

    def __len__(self) -> int:
        return len(self.remembered)

    def get(self, key: Hashable):
        """A remembered answer (KeyError if there is none); what it read counts as read by the answer being
        computed, if any."""
        value = self.remembered[key]
        if self._frames:
            self._frames[-1].update(self._reads.get(key, _EMPTY))
        return value

    def lookup(self, key: Hashable):
        """`get`, or UNSET (the resolver's hot path: one dictionary lookup when nothing is being computed)."""
        value = self.remembered.get(key, UNSET)
        if value is not UNSET and self._frames:
            self._frames[-1].update(self._reads.get(key, _EMPTY))
        return value

    def read(self, module: str) -> None:
        """The answer being computed reads this module."""
        if self._frames:
            self._frames[-1].add(module)

    def begin(self) -> None:
        """An answer is being computed (until `keep` or `abandon`)."""
        if self.tracking:
            self._frames.append(set())

    def keep(self, key: Hashable, value) -> None:
        """The answer begun last, remembered."""
        self.remembered[key] = value
        if self.tracking:
            reads = frozenset(self._frames.pop())
            reads = self._interned.setdefault(reads, reads)  # (most answers read the same few sets)
            self._reads[key] = reads
            for module in reads:
                self._readers.setdefault(module, set()).add(key)
            if self._frames:
                self._frames[-1].update(reads)

    def abandon(self) -> None:
        """The answer begun last is not remembered (what it read still counts for the one outside it)."""
        if self.tracking:
            reads = self._frames.pop()
            if self._frames:
                self._frames[-1].update(reads)

    def drop(self, key: Hashable) -> None:
        """Forget one answer."""
        self.remembered.pop(key, None)
        for module in self._reads.pop(key, ()):
            readers = self._readers.get(module)
            if readers is not None:
                readers.discard(key)

    def one_of(self, value):
        """The object equal to `value` met first (kept while tracking): a token set's remembered searches then
        last across analyses."""
        if not self.tracking:
            return value
        return self._interned.setdefault(value, value)

    def per_module(self, kind: str, module: str, key: Hashable, compute):
        """A question about one module, answered once (`key` names everything else it depends on)."""
        full_key = (kind, module, key)
        value = self.lookup(full_key)
        if value is not UNSET:
            return value
        self.begin()
        if self._frames:
            self._frames[-1].add(module)
        try:
            value = compute()
        except BaseException:
            self.abandon()
            raise
        self.keep(full_key, value)
        return value

    def forget(self, modules: Iterable[str]) -> int:
        """Drop every answer that read one of these modules; how many were dropped."""
        dropped = 0
        for module in modules:
            for key in self._readers.pop(module, ()):
                if key in self.remembered:
                    dropped += 1
                self.drop(key)  # (and out of the index of the other modules it read: memory stays flat)
        return dropped
