"""Resolution of names found in documents onto the graph's canonical entities.

- countries through pycountry plus common aliases ("U.S.", "UK", "Holland");
- regions ("Southwestern U.S.", "Nationwide") onto a country where possible;
- agencies onto one entity per real agency: "FBI", "Federal Bureau of
  Investigation (FBI)" and "federal bureau of investigation" are one, field
  offices ("ICE San Francisco") are PART_OF their parent;
- crime sectors onto the taxonomy in :mod:`loaders.catalogue`;
- money ("$100 Billion") onto a number and a currency.

Resolvers raise :class:`UnknownValue` (a ``ValueError``) naming the value and
the closest known ones; the builder turns it into a row error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import pycountry
from rapidfuzz import process as fuzzy_process

from graph.model import fold, slug
from loaders.catalogue import (
    AGENCIES,
    COUNTRY_ALIASES,
    COUNTRY_DISPLAY_NAMES,
    SECTORS,
    Sector,
)

MAX_NAME_LENGTH = 300


class UnknownValue(ValueError):
    """A value that resolves to nothing (or to more than one thing)."""

    def __init__(self, kind: str, value: str, suggestions: list[str] | None = None) -> None:
        self.kind = kind
        self.value = value
        self.suggestions = suggestions or []
        hint = f"; closest known: {', '.join(self.suggestions)}" if self.suggestions else ""
        super().__init__(f"unknown {kind} {_shorten(value)!r}{hint}")


def _shorten(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[:limit] + f"... ({len(value)} characters)"


def check_name(kind: str, raw: str) -> str:
    """``raw`` stripped and with inner whitespace collapsed; ValueError when unusable."""
    name = " ".join(raw.split())
    if not name:
        raise ValueError(f"empty {kind} name")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(
            f"{kind} name is {len(name)} characters long, more than {MAX_NAME_LENGTH}: "
            f"{_shorten(name)!r}"
        )
    if not fold(name):
        raise ValueError(f"{kind} name {name!r} has no letters or digits")
    return name


# -- countries ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: str


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("alpha_3", "name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                index[fold(value)] = country.alpha_2
    index.update(COUNTRY_ALIASES)
    return index


def country_name(code: str) -> str:
    if code in COUNTRY_DISPLAY_NAMES:
        return COUNTRY_DISPLAY_NAMES[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


def resolve_country(raw: str) -> Country:
    """The country named by ``raw`` (name, alias, alpha-2 or alpha-3 code)."""
    text = " ".join(raw.split())
    key = fold(text)
    if key.startswith("the "):
        key = key[4:]
    index = _country_index()
    code = index.get(key)
    if (
        code is None and len(text) == 2 and text.isalpha() and text.isupper()
        and pycountry.countries.get(alpha_2=text) is not None
    ):
        code = text
    if code is None:
        matches = fuzzy_process.extract(key, list(index), limit=3, score_cutoff=60)
        names = sorted({country_name(index[m[0]]) for m in matches})
        raise UnknownValue("country", text, names)
    return Country(code, country_name(code))


_LIST_SPLIT = re.compile(r"\s*(?:[,;/]|\band\b|&)\s*", re.IGNORECASE)


def resolve_countries(raw: str) -> list[Country]:
    """The countries in a list like "U.S., Mexico and Canada" (order kept, no repeats)."""
    text = raw.strip()
    if not text:
        return []
    try:
        return [resolve_country(text)]  # a single name with a comma ("Korea, Republic of")
    except UnknownValue:
        pass
    result: list[Country] = []
    for part in _LIST_SPLIT.split(text):
        if part.strip():
            country = resolve_country(part)
            if country not in result:
                result.append(country)
    return result


# -- regions ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Region:
    id: str
    name: str
    country: Country | None


_DIRECTIONS = {
    "western": "Western", "west": "Western",
    "eastern": "Eastern", "east": "Eastern",
    "northern": "Northern", "north": "Northern",
    "southern": "Southern", "south": "Southern",
    "southwestern": "Southwestern", "southwest": "Southwestern",
    "southeastern": "Southeastern", "southeast": "Southeastern",
    "northwestern": "Northwestern", "northwest": "Northwestern",
    "northeastern": "Northeastern", "northeast": "Northeastern",
    "midwestern": "Midwestern", "midwest": "Midwestern",
    "central": "Central",
}
_NATIONWIDE = frozenset({"nationwide", "national", "countrywide", "nationally", "all states"})
_WORLDWIDE = frozenset({"worldwide", "global", "international", "globally", "world"})


def _nationwide(country: Country) -> Region:
    return Region(f"{country.code.lower()}-nationwide", f"{country.name} (nationwide)", country)


def resolve_region(raw: str, home: Country | None = None) -> Region:
    """The region named by ``raw``; "Nationwide" means the whole of ``home``.

    A name that is a direction plus a country ("Southwestern U.S.") is PART_OF
    that country; a country alone is the whole country; anything else is a
    region of its own with no country.
    """
    name = check_name("region", raw)
    key = fold(name)
    if key in _NATIONWIDE:
        if home is None:
            return Region(slug(name), name, None)
        return _nationwide(home)
    if key in _WORLDWIDE:
        return Region("worldwide", "Worldwide", None)
    words = key.split(" ", 1)
    if len(words) == 2 and words[0] in _DIRECTIONS:
        try:
            country = resolve_country(words[1])
        except UnknownValue:
            country = None
        if country is not None:
            label = f"{_DIRECTIONS[words[0]]} {country.name}"
            return Region(slug(label), label, country)
    try:
        return _nationwide(resolve_country(name))
    except UnknownValue:
        return Region(slug(name), name, None)


# -- crime sectors ----------------------------------------------------------------


@lru_cache(maxsize=1)
def _sector_index() -> dict[str, Sector]:
    index: dict[str, Sector] = {}
    for sector in SECTORS:
        index[fold(sector.name)] = sector
        index[sector.id.replace("-", " ")] = sector
        for synonym in sector.synonyms:
            index[synonym] = sector
    return index


def resolve_sector(raw: str) -> Sector:
    """The taxonomy sector named by ``raw``; an unlisted name is a sector of its own."""
    name = check_name("crime sector", raw)
    sector = _sector_index().get(fold(name))
    if sector is not None:
        return sector
    return Sector(slug(name), name, None, (), ())


@lru_cache(maxsize=65_536)
def infer_sectors(text: str) -> tuple[Sector, ...]:
    """Taxonomy sectors whose cue words appear in free text (role, impact, outcome)."""
    words = f" {fold(text)} "
    return tuple(s for s in SECTORS if any(f" {cue} " in words for cue in s.cues))


# -- money --------------------------------------------------------------------------

_MONEY = re.compile(
    r"(?P<cur>us\$|\$|€|£|usd|eur|gbp)?\s*(?P<num>\d[\d,]*(?:\.\d+)?)\s*"
    r"(?P<unit>trillion|billion|million|thousand|bn|mn|m|b|k|tn)?\b\s*(?P<cur2>usd|eur|gbp)?",
    re.IGNORECASE,
)
_UNITS = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6,
    "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12,
}
_CURRENCIES = {"$": "USD", "us$": "USD", "usd": "USD", "€": "EUR", "eur": "EUR", "£": "GBP",
               "gbp": "GBP"}


def parse_money(text: str) -> tuple[float, str] | None:
    """``("$100 Billion")`` -> ``(1e11, "USD")``; None when no amount is found."""
    match = _MONEY.search(text)
    if match is None:
        return None
    amount = float(match["num"].replace(",", ""))
    unit = (match["unit"] or "").lower()
    amount *= _UNITS.get(unit, 1.0)
    currency = (match["cur"] or match["cur2"] or "$").lower()
    return amount, _CURRENCIES.get(currency, "USD")


def parse_number(text: str) -> int | float | None:
    """A plain number in a cell ("1,200", "30", "12.5%"); None when there is none."""
    match = re.fullmatch(r"\s*([-+]?\d[\d,]*(?:\.\d+)?)\s*%?\s*", text)
    if match is None:
        return None
    value = float(match[1].replace(",", ""))
    return int(value) if value.is_integer() else value


# -- agencies ------------------------------------------------------------------------


@dataclass(slots=True)
class Agency:
    """One resolved agency; ``aliases`` are the other names seen for it."""

    id: str
    name: str
    acronym: str | None = None
    country: str | None = None
    parent: str | None = None  # id of the parent agency
    aliases: list[str] = field(default_factory=list)
    version: int = 0  # bumped whenever the resolver learns a new name for it

    def lookup_keys(self) -> list[str]:
        """Folded lookup keys: id, name, acronym and aliases."""
        keys = [self.id.replace("-", " "), fold(self.name)]
        if self.acronym:
            keys.append(fold(self.acronym))
        keys += [fold(alias) for alias in self.aliases]
        return list(dict.fromkeys(k for k in keys if k))


_ACRONYM = re.compile(r"^(?P<name>.+?)\s*\((?P<inner>[^()]+)\)$")


def _looks_like_acronym(text: str) -> bool:
    compact = text.replace(".", "").replace("-", "").replace("&", "")
    return (
        1 < len(compact) <= 12
        and " " not in text.strip()
        and sum(c.isupper() for c in compact) >= 2
    )


def split_acronym(name: str) -> tuple[str, str | None]:
    """Split ``"Name (ACR)"`` into ``("Name", "ACR")``.

    Also reads ``"DEA (Drug Enforcement Administration)"``; a name that is only
    an acronym ("FBI") comes back as ``("FBI", "FBI")``.
    """
    match = _ACRONYM.match(name)
    if match:
        outer, inner = match["name"].strip(), match["inner"].strip()
        if _looks_like_acronym(inner):
            return outer, inner
        if _looks_like_acronym(outer):
            return inner, outer
    if _looks_like_acronym(name):
        return name, name
    return name, None


class AgencyResolver:
    """Resolves agency names onto one entity each, remembering what it resolved.

    Seeded with the reference catalogue, the agencies already in the store and
    a user's aliases (``{alias: canonical name}``).
    """

    def __init__(
        self,
        existing: list[Agency] | None = None,
        aliases: dict[str, str] | None = None,
        *,
        use_catalogue: bool = True,
    ) -> None:
        self._by_key: dict[str, Agency] = {}
        self._by_id: dict[str, Agency] = {}
        self._resolved: dict[str, Agency] = {}  # raw text -> agency, for repeated names
        if use_catalogue:
            ids = {k.name: slug(k.name) for k in AGENCIES}
            for known in AGENCIES:
                self._add(
                    Agency(
                        ids[known.name], known.name, known.acronym, known.country,
                        ids.get(known.parent) if known.parent else None,
                        list(known.aliases),
                    )
                )
        for agency in existing or []:
            current = self._by_id.get(agency.id)
            if current is None:
                self._add(agency)
            else:  # the store's record wins over the catalogue's, aliases combined
                for alias in agency.aliases:
                    if alias not in current.aliases:
                        current.aliases.append(alias)
                current.version += 1
                self._index(current)
        for alias, canonical in (aliases or {}).items():
            target = self._lookup(canonical) or self.resolve(canonical)
            if fold(alias) not in target.lookup_keys():
                target.aliases.append(alias)
                target.version += 1
            self._index(target)

    def _add(self, agency: Agency) -> None:
        self._by_id[agency.id] = agency
        self._index(agency)

    def _index(self, agency: Agency) -> None:
        for key in agency.lookup_keys():
            self._by_key.setdefault(key, agency)

    def _lookup(self, text: str) -> Agency | None:
        key = fold(text)
        found = self._by_key.get(key)
        if found is None and key.startswith("the "):
            found = self._by_key.get(key[4:])
        return found

    def get(self, agency_id: str) -> Agency | None:
        return self._by_id.get(agency_id)

    def agencies(self) -> list[Agency]:
        return list(self._by_id.values())

    def register_full_names(self, names: list[str]) -> None:
        """Resolve "Name (ACR)" forms first so that bare acronyms later join them."""
        for raw in dict.fromkeys(names):
            try:
                name = check_name("agency", raw)
            except ValueError:
                continue
            full, acronym = split_acronym(name)
            if acronym and full != acronym and raw not in self._resolved:
                self._resolved[raw] = self._resolve(name, full, acronym)

    def resolve(self, raw: str) -> Agency:
        """The agency named by ``raw``, created when nothing known matches it."""
        cached = self._resolved.get(raw)
        if cached is not None:
            return cached
        text = check_name("agency", raw)
        agency = self._resolve(text, *split_acronym(text))
        self._resolved[raw] = agency
        return agency

    def _resolve(self, text: str, name: str, acronym: str | None) -> Agency:
        """The agency of checked ``text``, which :func:`split_acronym` made ``name``
        and ``acronym`` of."""
        found = self._lookup(text) or self._lookup(name)
        if found is None and acronym:
            found = self._lookup(acronym)
        if found is not None:
            self._learn(found, text, name, acronym)
            return found
        parent = self._parent_of(name)
        agency = Agency(
            slug(name), name, acronym if acronym != name else None,
            parent.country if parent else None, parent.id if parent else None,
        )
        if acronym == name:  # only an acronym is known for now
            agency.acronym = acronym
        if text != name:
            agency.aliases.append(text)
        existing = self._by_id.get(agency.id)
        if existing is not None:  # same id from a differently written name
            self._learn(existing, text, name, acronym)
            return existing
        self._add(agency)
        return agency

    def _learn(self, agency: Agency, text: str, name: str, acronym: str | None) -> None:
        if acronym and not agency.acronym:
            agency.acronym = acronym
        if agency.acronym and agency.name == agency.acronym and name != acronym:
            agency.aliases.append(agency.name)  # a full name for an acronym-only agency
            agency.name = name
        keys = agency.lookup_keys()
        composite = acronym is not None and fold(name) in keys and fold(acronym) in keys
        for variant in (name,) if composite else (text, name):
            if fold(variant) not in agency.lookup_keys():
                agency.aliases.append(variant)
        agency.version += 1
        self._index(agency)

    def _parent_of(self, name: str) -> Agency | None:
        """The known agency a field office is named after ("ICE San Francisco" -> ICE)."""
        words = name.split()
        for cut in range(len(words) - 1, 0, -1):
            parent = self._lookup(" ".join(words[:cut]))
            if parent is not None:
                return parent
        return None
