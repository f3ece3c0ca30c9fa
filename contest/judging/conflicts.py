"""Conflict-of-interest rules between a person (a judge, an investor) and an entry. Pure.

No database and no web: plain values in, plain values out, so assignment, the conflicts
page and other features (an investor's declared stakes, issue 22) use the same rules.
Call :func:`detect` with :class:`Party` and :class:`EntrySide` values and a
:class:`Families`; or compare keys yourself with :func:`party_keys` and :func:`entry_keys`.

Rules (docs/api.md "Fair judging"; contest/judging/README.md "Conflicts"):

1. The same institution after normalising (:func:`normalise_institution`): full and
   half width, spaces, brackets and company suffixes such as 有限公司, 股份有限公司,
   （集团） do not count.
2. The same family: a name made of a university's full name followed by one of its
   units (附属…医院, 医学院, 研究所, …) belongs to that university (:func:`university_root`),
   so 复旦大学附属中山医院, 复旦大学上海医学院 and 复旦大学 are one family; organisers add
   families and aliases of their own (:class:`Families`).
3. A party's affiliations and companies (employer, board seats, investments) against the
   entry's institution and company name; a company's credit code against the entry's.
4. Named conflicts a party declared (an institution or a credit code), and conflicts
   declared with the entry itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

# Longest first: 股份有限公司 must go before 有限公司 can leave 股份 behind.
_COMPANY_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "(集团)",
    "集团",
    "公司",
    "co.,ltd.",
    "co.,ltd",
    "co.ltd",
    "ltd.",
    "ltd",
    "inc.",
    "inc",
    "llc",
    "corp.",
    "corporation",
    "limited",
)
_BRACKETS = "()[]{}<>【】〔〕〈〉《》「」『』"
_DROPPED = re.compile(r"[\s" + re.escape(_BRACKETS) + r"·・,.，。、'\"-]")
# The roots a family hangs from: a university, or an academy with its institutes.
_ROOT = re.compile(r"^(.{2,}?(?:大学|科学院|医学科学院|工程院))(.+)$")
# What may follow a root in the name of one of its units.
_UNIT_WORDS = (
    "附属",
    "医学院",
    "医学部",
    "学院",
    "学部",
    "书院",
    "医院",
    "研究院",
    "研究所",
    "研究中心",
    "中心",
    "实验室",
    "科技园",
    "附中",
    "中学",
    "小学",
    "分校",
    "校区",
    "系",
)


def _width_folded(name: str) -> str:
    """NFKC turns full-width letters, digits and brackets into their half-width forms."""
    return unicodedata.normalize("NFKC", name).casefold()


def normalise_institution(name: str) -> str:
    """The form names are compared in: width folded, case folded, spaces, brackets and
    punctuation dropped, company suffixes (有限公司, 股份有限公司, （集团）, Ltd …) removed.

    >>> normalise_institution("数字科技（集团）股份有限公司") == normalise_institution("数字 科技")
    True
    """
    text = _width_folded(name).strip()
    # （集团） in brackets is a suffix wherever it stands: 数字科技（集团）有限公司.
    text = text.replace("(集团)", "")
    text = _DROPPED.sub("", text)
    changed = True
    while changed:
        changed = False
        for suffix in _COMPANY_SUFFIXES:
            bare = _DROPPED.sub("", suffix)
            if text.endswith(bare) and len(text) > len(bare) + 1:
                text = text[: -len(bare)]
                changed = True
    return text


def university_root(normalised: str) -> str:
    """The university (or academy) a normalised name belongs to, or the name itself.

    复旦大学附属中山医院 -> 复旦大学; 上海交通大学医学院附属瑞金医院 -> 上海交通大学;
    复旦大学 -> 复旦大学; 华东师范大学 -> 华东师范大学 (the shortest root is tried first,
    and 华东师范 is no root). A rest that names no unit leaves the name alone.
    """
    match = _ROOT.match(normalised)
    if match is None:
        return normalised
    root, rest = match.groups()
    if rest.startswith(_UNIT_WORDS) or rest.endswith(_UNIT_WORDS):
        return root
    return normalised


def normalise_credit_code(code: str) -> str:
    return _width_folded(code).strip().upper()


class Families:
    """Names organisers declared to be one institution, on top of the university rule.

    Each name maps to a family key; two names conflict when their keys are equal. Families
    sharing a name (or a university) are merged, as one would expect.
    """

    def __init__(self, families: Iterable[Iterable[str]] = ()) -> None:
        self._parent: dict[str, str] = {}
        # Names repeat (a national round has 100,000 entries from a few thousand places).
        self._keys: dict[str, str] = {}
        for members in families:
            roots = [university_root(normalise_institution(m)) for m in members]
            roots = [r for r in roots if r]
            for other in roots[1:]:
                self._union(roots[0], other)

    def _find(self, key: str) -> str:
        parent = self._parent.get(key, key)
        if parent == key:
            return key
        found = self._find(parent)
        self._parent[key] = found
        return found

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            # The smaller key leads, so the key of a family never depends on input order.
            low, high = sorted((ra, rb))
            self._parent[high] = low

    def key(self, name: str) -> str:
        """The family key of a raw name; "" for a name that normalises to nothing."""
        found = self._keys.get(name)
        if found is None:
            normalised = normalise_institution(name)
            found = self._find(university_root(normalised)) if normalised else ""
            self._keys[name] = found
        return found


class Kind(StrEnum):
    """Why a party conflicts with an entry."""

    same_institution = "same_institution"  # equal after normalising
    same_family = "same_family"  # one family: a university's unit, or an organiser's family
    company = "company"  # a declared company (employer, board seat, investment)
    credit_code = "credit_code"  # a declared company's credit code is the entry's
    declared_name = "declared_name"  # the party declared a conflict with this institution
    declared_entry = "declared_entry"  # the party declared a conflict with this entry


@dataclass(frozen=True, slots=True)
class Party:
    """A person whose conflicts are checked: a judge, an investor.

    ``institution`` and ``affiliations`` are where they work or study; ``companies`` are
    (name, credit code) pairs of companies they are tied to; ``declared_names`` and
    ``declared_codes`` are institutions and credit codes they declared a conflict with;
    ``declared_entries`` are entry ids they declared a conflict with.
    """

    id: int
    institution: str = ""
    affiliations: Sequence[str] = ()
    companies: Sequence[tuple[str, str]] = ()
    declared_names: Sequence[str] = ()
    declared_codes: Sequence[str] = ()
    declared_entries: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class EntrySide:
    """What of an entry the rules compare: its institution, company name and credit code."""

    id: int
    institution: str = ""
    company_name: str = ""
    credit_code: str = ""


@dataclass(frozen=True, slots=True)
class Match:
    """One detected conflict: which party, which entry, why, and the two names compared."""

    party_id: int
    entry_id: int
    kind: Kind
    party_name: str = ""
    entry_name: str = ""


@dataclass(frozen=True, slots=True)
class _Tie:
    """One thing a party is tied to: a key, how (kind when matched), and its raw name."""

    key: str
    kind: Kind
    name: str


def _code_key(code: str) -> str:
    code = normalise_credit_code(code)
    return f"code:{code}" if code else ""


def _ties(party: Party, families: Families) -> Iterator[_Tie]:
    for name in (party.institution, *party.affiliations):
        yield _Tie(families.key(name), Kind.same_institution, name)
    for name, code in party.companies:
        yield _Tie(families.key(name), Kind.company, name)
        yield _Tie(_code_key(code), Kind.credit_code, code)
    for name in party.declared_names:
        yield _Tie(families.key(name), Kind.declared_name, name)
    for code in party.declared_codes:
        yield _Tie(_code_key(code), Kind.declared_name, code)


def party_keys(party: Party, families: Families) -> frozenset[str]:
    """Every key a party conflicts on (families resolved, credit codes prefixed)."""
    return frozenset(t.key for t in _ties(party, families) if t.key)


def _entry_names(entry: EntrySide, families: Families) -> list[tuple[str, str]]:
    named = [(families.key(n), n) for n in (entry.institution, entry.company_name)]
    named.append((_code_key(entry.credit_code), entry.credit_code))
    return [(key, name) for key, name in named if key]


def entry_keys(entry: EntrySide, families: Families) -> frozenset[str]:
    """Every key an entry can be conflicted on."""
    return frozenset(key for key, _name in _entry_names(entry, families))


def _kind_of(tie: _Tie, entry_name: str) -> Kind:
    """Institution ties are told apart: the very same name, or one family."""
    if tie.kind != Kind.same_institution:
        return tie.kind
    same = normalise_institution(tie.name) == normalise_institution(entry_name)
    return Kind.same_institution if same else Kind.same_family


def match(party: Party, entry: EntrySide, families: Families) -> Match | None:
    """The first reason ``party`` conflicts with ``entry`` (declared ones first), or None."""
    if entry.id in party.declared_entries:
        return Match(party.id, entry.id, Kind.declared_entry)
    names = _entry_names(entry, families)
    ties = sorted(_ties(party, families), key=lambda t: t.kind != Kind.declared_name)
    for tie in ties:
        for key, entry_name in names:
            if tie.key and tie.key == key:
                return Match(party.id, entry.id, _kind_of(tie, entry_name), tie.name, entry_name)
    return None


@dataclass
class KeyIndex:
    """Parties by conflict key: finds an entry's conflicted parties without a full scan."""

    families: Families
    by_key: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def of(cls, parties: Iterable[Party], families: Families) -> KeyIndex:
        index = cls(families)
        for party in parties:
            for key in party_keys(party, families):
                index.by_key[key].add(party.id)
        return index

    def parties_for(self, keys: Iterable[str]) -> set[int]:
        found: set[int] = set()
        for key in keys:
            found |= self.by_key.get(key, set())
        return found


def detect(
    parties: Sequence[Party], entries: Sequence[EntrySide], families: Families | None = None
) -> list[Match]:
    """Every (party, entry) in conflict with its reason, entry by entry then party id.

    Cost: one look-up per entry key plus the matches found, never parties x entries.
    """
    families = families or Families()
    by_id = {p.id: p for p in parties}
    index = KeyIndex.of(parties, families)
    declared: dict[int, set[int]] = defaultdict(set)
    for party in parties:
        for entry_id in party.declared_entries:
            declared[entry_id].add(party.id)
    found: list[Match] = []
    for entry in entries:
        suspects = index.parties_for(entry_keys(entry, families)) | declared.get(entry.id, set())
        for party_id in sorted(suspects):
            hit = match(by_id[party_id], entry, families)
            if hit is not None:
                found.append(hit)
    return found
