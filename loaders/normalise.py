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
from typing import Any

import pycountry
from rapidfuzz import fuzz
from rapidfuzz import process as fuzzy_process

from graph.model import fold, slug
from loaders.catalogue import (
    AGENCIES,
    COUNTRY_ALIASES,
    COUNTRY_DISPLAY_NAMES,
    DEMONYMS,
    GENERIC_WORDS,
    PLACEHOLDERS,
    REGION_ALIASES,
    SECTORS,
    KnownAgency,
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


def _inverted(name: str) -> str | None:
    """"Korea, Republic of" -> "Republic of Korea"; "Virgin Islands, U.S." -> "U.S.
    Virgin Islands": the order people write ISO's inverted names in."""
    if ", " not in name:
        return None
    head, _, tail = name.partition(", ")
    return f"{tail} {head}"


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("alpha_3", "name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                index[fold(value)] = country.alpha_2
                inverted = _inverted(value)
                if inverted:
                    index.setdefault(fold(inverted), country.alpha_2)
    index.update(COUNTRY_ALIASES)
    return index


@lru_cache(maxsize=1)
def _qualifier_index() -> dict[str, str]:
    """Words that name a country before or after an agency's name: country names
    and aliases (not ISO codes, which are also words) and demonyms."""
    index = {k: v for k, v in _country_index().items()
             if not (len(k) == 3 and k.isalpha() and k not in COUNTRY_ALIASES)}
    index.update(DEMONYMS)
    return index


def country_name(code: str) -> str:
    if code in COUNTRY_DISPLAY_NAMES:
        return COUNTRY_DISPLAY_NAMES[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


_LONGEST_PLACEHOLDER = max(map(len, PLACEHOLDERS)) + 4
_DIGIT = re.compile(r"\d")


def is_placeholder(text: str) -> bool:
    """Whether a cell says there is no value: "N/A", "Unknown", "Various", "—"."""
    if len(text) > _LONGEST_PLACEHOLDER or _DIGIT.search(text):
        return False
    return fold(text) in PLACEHOLDERS


def _country_code(text: str) -> str | None:
    key = fold(text)
    if key.startswith("the "):
        key = key[4:]
    code = _country_index().get(key)
    if (
        code is None and len(text) == 2 and text.isalpha() and text.isupper()
        and pycountry.countries.get(alpha_2=text) is not None
    ):
        code = text
    return code


def resolve_country(raw: str) -> Country:
    """The country named by ``raw`` (name, alias, alpha-2 or alpha-3 code)."""
    text = " ".join(raw.split())
    code = _country_code(text)
    if code is None:
        index = _country_index()
        matches = fuzzy_process.extract(fold(text), list(index), limit=3, score_cutoff=60)
        names = sorted({country_name(index[m[0]]) for m in matches})
        raise UnknownValue("country", text, names)
    return Country(code, country_name(code))


_STRONG_SPLIT = re.compile(r"\s*;\s*")
_NOT_APPLICABLE = re.compile(r"(?<![\w/])n\s*/\s*a(?![\w/])", re.IGNORECASE)
_LIST_SPLIT = re.compile(r"\s*[,/|]\s*")
_AND_SPLIT = re.compile(r"\s*(?:\band\b|&|\+)\s*", re.IGNORECASE)


def split_list(text: str) -> list[str]:
    """The items of a list cell: split on semicolons when it has any (so items
    may hold commas), else on commas, slashes and pipes; placeholders dropped."""
    text = _NOT_APPLICABLE.sub("", text)  # "N/A" before the slash splits it
    parts = _STRONG_SPLIT.split(text) if ";" in text else _LIST_SPLIT.split(text)
    return [part for part in (p.strip() for p in parts) if part and not is_placeholder(part)]


def resolve_countries(raw: str) -> list[Country]:
    """The countries in a list like "U.S., Mexico and Canada" (order kept, no repeats).

    Items are split on semicolons, else commas and slashes, then on "and" and
    "&" where the item is no country as a whole ("Trinidad and Tobago" is one).
    Placeholders ("N/A", "others") name nothing.
    """
    text = raw.strip()
    if not text or is_placeholder(text):
        return []
    if _country_code(text) is not None:  # one name holding a comma ("Korea, Republic of")
        return [resolve_country(text)]
    result: list[Country] = []
    for item in split_list(text):
        parts = [item] if _country_code(item) is not None else [
            part for part in _AND_SPLIT.split(item) if part.strip() and not is_placeholder(part)
        ]
        for part in parts:
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
_NATIONWIDE = frozenset({"nationwide", "national", "countrywide", "nationally", "all states",
                         "national level", "across the country", "whole country"})
_WORLDWIDE = frozenset({"worldwide", "global", "international", "globally", "world",
                        "transnational", "multinational", "international waters"})
# Words of a region named from inside a country ("southern border", "Gulf Coast"):
# with no other country named, it is the agency's home country's.
_RELATIVE = frozenset({"border", "borders", "borderlands", "coast", "coasts", "coastal",
                       "seaboard", "frontier", "ports", "port"})
# Countries whose states or provinces a region may be named by when the agency's
# home country is unknown ("Texas", "Ontario").
_STATE_COUNTRIES = ("US", "CA", "MX", "AU")


def _nationwide(country: Country) -> Region:
    return Region(f"{country.code.lower()}-nationwide", f"{country.name} (nationwide)", country)


@lru_cache(maxsize=64)
def _subdivisions(code: str) -> dict[str, str]:
    """Folded names of a country's states or provinces -> their names."""
    subdivisions: Any = pycountry.subdivisions
    return {fold(sub.name): sub.name for sub in subdivisions.get(country_code=code) or ()}


@lru_cache(maxsize=1)
def _unique_states() -> dict[str, tuple[str, str]]:
    """States or provinces of the major federations whose name no country has:
    folded name -> (country code, name)."""
    seen: dict[str, list[tuple[str, str]]] = {}
    for code in _STATE_COUNTRIES:
        for key, name in _subdivisions(code).items():
            seen.setdefault(key, []).append((code, name))
    countries = _country_index()
    return {k: v[0] for k, v in seen.items() if len(v) == 1 and k not in countries}


def _state(key: str, home: Country | None) -> tuple[Country, str] | None:
    """The state or province a folded name is, in ``home`` first."""
    if home is not None:
        name = _subdivisions(home.code).get(key)
        if name is not None:
            return home, name
    found = _unique_states().get(key)
    if found is not None:
        return Country(found[0], country_name(found[0])), found[1]
    return None


def _place(key: str, home: Country | None) -> Region | None:
    """The region a folded name is, when it names a place partnergraph knows: a
    country, a state or province, or a direction of one of them."""
    code = _country_code(key)
    if code is not None and home is not None and code == home.code:
        return _nationwide(home)  # "Mexico" for a Mexican agency: not the State of Mexico
    if home is not None and key in _subdivisions(home.code):
        name = _subdivisions(home.code)[key]  # "Georgia" for a US agency: the state
        return Region(f"{home.code.lower()}-{slug(name)}", name, home)
    if code is not None:
        return _nationwide(Country(code, country_name(code)))
    state = _state(key, home)
    if state is not None:
        country, name = state
        return Region(f"{country.code.lower()}-{slug(name)}", name, country)
    words = key.split(" ", 1)
    if len(words) == 2 and words[0] in _DIRECTIONS:
        direction = _DIRECTIONS[words[0]]
        state = _state(words[1], home)
        if state is not None:
            country, name = state
            label = f"{direction} {name}"
            return Region(f"{country.code.lower()}-{slug(label)}", label, country)
        code = _country_code(words[1])
        if code is not None:
            label = f"{direction} {country_name(code)}"
            return Region(slug(label), label, Country(code, country_name(code)))
    return None


def _names_other_country(key: str, home: Country) -> bool:
    words = key.split()
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            code = _country_code(" ".join(words[i:i + size]))
            if code is not None and code != home.code:
                return True
    return False


def resolve_region(raw: str, home: Country | None = None) -> Region:
    """The region named by ``raw``; "Nationwide" means the whole of ``home``.

    A country alone is the whole country; a state or province ("Texas", in
    ``home`` first), a direction plus a country or state ("Southwestern
    U.S.", "Southern California"), or a direction alone ("Midwest") is PART_OF
    its country; so is a border or coast named from inside ``home`` ("southern
    border") when no other country is named. Anything else ("Europe", "San
    Francisco Bay Area") is a region of its own with no country.
    """
    name = check_name("region", raw)
    key = fold(name)
    if key.startswith("the "):
        key = key[4:]
    if key in _NATIONWIDE:
        if home is None:
            return Region(slug(name), name, None)
        return _nationwide(home)
    if key in _WORLDWIDE:
        return Region("worldwide", "Worldwide", None)
    if key in REGION_ALIASES:
        region_id, region_name = REGION_ALIASES[key]
        return Region(region_id, region_name, None)
    place = _place(key, home)
    if place is not None:
        return place
    if home is not None and key in _DIRECTIONS:
        label = f"{_DIRECTIONS[key]} {home.name}"
        return Region(slug(label), label, home)
    if home is not None and _RELATIVE.intersection(key.split()) and not _names_other_country(
        key, home
    ):
        return Region(f"{home.code.lower()}-{slug(name)}", name, home)
    return Region(slug(name), name, None)


def resolve_regions(raw: str, home: Country | None = None) -> list[Region]:
    """The regions of an area cell: one, or several when every item of a list
    names a known place ("Arizona and New Mexico", "Texas, Oklahoma");
    placeholders ("Various") name none."""
    text = " ".join(raw.split())
    if not text or is_placeholder(text):
        return []
    whole = resolve_region(text, home)
    if whole.country is not None or fold(text) in REGION_ALIASES:
        return [whole]
    items = [part for item in split_list(text) for part in _AND_SPLIT.split(item)
             if part.strip() and not is_placeholder(part)]
    if len(items) > 1:
        places = [_place(fold(item), home) for item in items]
        if all(places):
            return list(dict.fromkeys(p for p in places if p is not None))
    return [whole]


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


# Words of a column header that make it a criminal market ("Cocaine trade",
# "Flora crimes"), as opposed to a score about a country ("Criminality",
# "Resilience", "Rank") or about its criminals ("Mafia-style groups").
_MARKET_WORDS = frozenset({
    "trade", "trafficking", "smuggling", "crime", "crimes", "laundering", "fraud",
    "corruption", "extortion", "racketeering", "counterfeiting", "counterfeit", "piracy",
    "poaching", "logging", "theft", "kidnapping", "market", "drug", "drugs", "narcotics",
    "cybercrime", "scams",
})
_NOT_MARKETS = frozenset({
    "criminality", "criminal markets", "criminal actors", "resilience", "rank", "ranking",
    "score", "overall", "total", "average", "mean", "index", "population", "gdp", "year",
    "code", "iso", "iso code", "id", "latitude", "longitude",
})


# A year in a column header: "Drug trafficking (2023)", "Cocaine trade 2021".
_HEADER_YEAR = re.compile(r"\s*[\(\[]?\b(19|20)\d{2}\b[\)\]]?\s*")


def market_sector(header: str) -> Sector | None:
    """The crime sector a numeric column of a wide country table scores, or None
    when the column is no criminal market ("Criminality", "Resilience", "Rank",
    "Mafia-style groups"). A year in the header is not part of the sector."""
    header = _HEADER_YEAR.sub(" ", header).strip()
    key = fold(header)
    if not key or key in _NOT_MARKETS:
        return None
    sector = _sector_index().get(key)
    if sector is not None:
        return sector
    if _MARKET_WORDS.intersection(key.split()):
        return resolve_sector(header)
    return None


@lru_cache(maxsize=65_536)
def infer_sectors(text: str) -> tuple[Sector, ...]:
    """Taxonomy sectors whose cue words appear in free text (role, impact, outcome)."""
    words = f" {fold(text)} "
    return tuple(s for s in SECTORS if any(f" {cue} " in words for cue in s.cues))


# -- money --------------------------------------------------------------------------

_AMOUNT = (r"(?P<{n}>\d[\d,]*(?:\.\d+)?)\s*"
           r"(?P<{u}>trillion|billion|million|thousand|bn|mn|m|b|k|tn)?\b")
_MONEY = re.compile(
    r"(?P<cur>us\$|\$|€|£|usd|eur|gbp)?\s*" + _AMOUNT.format(n="num", u="unit")
    + r"(?:\s*(?:-|\u2013|\u2014|to)\s*(?:us\$|\$|€|£)?\s*" + _AMOUNT.format(n="num2", u="unit2")
    + r")?\s*(?P<cur2>usd|eur|gbp)?",
    re.IGNORECASE,
)
_UNITS = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6,
    "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12,
}
_CURRENCIES = {"$": "USD", "us$": "USD", "usd": "USD", "€": "EUR", "eur": "EUR", "£": "GBP",
               "gbp": "GBP"}


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of money, or a range of them ("$30-50 billion": 3e10 to 5e10)."""

    amount: float
    currency: str
    high: float | None = None  # the top of a range


# The unit and currency a column header gives its figures: "Revenue (US$
# billions)", "Value (USD bn)", "Proceeds in millions".
_HEADER_MONEY = re.compile(
    r"[(\[]\s*(?P<cur>us\$|\$|€|£|usd|eur|gbp)?\s*(?P<unit>trillions?|billions?|millions?|"
    r"thousands?|bn|mn|tn|m|b|k)?\s*(?P<cur2>usd|eur|gbp)?\s*[)\]]"
    r"|\bin\s+(?P<unit3>trillions|billions|millions|thousands)\b",
    re.IGNORECASE,
)


def header_money(header: str) -> tuple[str | None, str | None]:
    """The unit and currency a column header states for its figures, if any:
    ``"Revenue (US$ billions)"`` -> ``("billion", "USD")``."""
    for match in _HEADER_MONEY.finditer(header):
        unit = (match["unit"] or match["unit3"] or "").lower()
        if unit.endswith("s") and unit[:-1] in _UNITS:
            unit = unit[:-1]
        currency = (match["cur"] or match["cur2"] or "").lower()
        if unit or currency:
            return unit or None, _CURRENCIES.get(currency) if currency else None
    return None, None


def parse_money_range(text: str, unit: str | None = None,
                      currency: str | None = None) -> Money | None:
    """``"$100 Billion"`` -> 1e11 USD; ``"$1.5-2 trillion"`` -> 1.5e12 to 2e12 USD
    (a unit after the second figure applies to both). ``unit`` and
    ``currency`` (a column header's, :func:`header_money`) apply to figures
    that give none. None when no amount is found."""
    match = _MONEY.search(text)
    if match is None:
        return None
    unit1, unit2 = (match["unit"] or "").lower(), (match["unit2"] or "").lower()
    default = (unit or "").lower()
    amount = float(match["num"].replace(",", "")) * _UNITS.get(unit1 or unit2 or default, 1.0)
    high = None
    if match["num2"]:
        high = float(match["num2"].replace(",", "")) * _UNITS.get(unit2 or unit1 or default, 1.0)
        if high < amount:
            amount, high = high, amount
    written = (match["cur"] or match["cur2"] or "").lower()
    return Money(amount, _CURRENCIES.get(written, "USD") if written else (currency or "USD"),
                 high)


def parse_money(text: str) -> tuple[float, str] | None:
    """``("$100 Billion")`` -> ``(1e11, "USD")``: the amount (the low end of a range)
    and its currency; None when no amount is found."""
    money = parse_money_range(text)
    return None if money is None else (money.amount, money.currency)


# "1,200" and "12,000,000" group thousands; "7,5" and "1,25" are decimal commas.
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_NUMBER = re.compile(r"\s*([-+]?\d[\d,]*(?:\.\d+)?)\s*%?\s*")


def parse_number(text: str) -> int | float | None:
    """A plain number in a cell ("1,200", "30", "12.5%", "7,5"); None when there is none."""
    match = _NUMBER.fullmatch(text)
    if match is None:
        return None
    digits = match[1].lstrip("+-")
    if "," in digits and "." not in digits and not _THOUSANDS.fullmatch(digits):
        if digits.count(",") != 1:
            return None
        digits = digits.replace(",", ".")  # a decimal comma
    value = float(digits.replace(",", ""))
    if match[1].startswith("-"):
        value = -value
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


class AmbiguousValue(UnknownValue):
    """A value that names more than one thing (an acronym two agencies use)."""

    def __init__(self, kind: str, value: str, candidates: list[str]) -> None:
        ValueError.__init__(
            self, f"ambiguous {kind} {_shorten(value)!r}: it names {', '.join(candidates)}; "
            "write the full name once in the document, e.g. "
            f"'{candidates[0]} ({_shorten(value, 20)})'"
        )
        self.kind, self.value, self.suggestions = kind, value, candidates


_ACRONYM = re.compile(r"^(?P<name>.+?)\s*[(\[](?P<inner>[^()\[\]]+)[)\]]$")
_NAME_AND_ACRONYM = re.compile(r"[(\[]|\s[-\u2013\u2014:]\s")
_DASHED = re.compile(r"^(?P<name>.+?\s.+?)\s+[-\u2013\u2014:]\s+(?P<inner>\S+)$")
# Footnote marks, and markup or quotes left around a name: "FBI*", "DEA[2]", "“ICE”".
_MARKS = re.compile(r"(?:\s*(?:\[\d{1,3}\]|[*†‡§¹²³⁴⁵⁶⁷⁸⁹]+))+$")
_POSSESSIVE = re.compile(r"(?:'s|\u2019s|'|\u2019)$")
# Words of a field office's name that say it is an office ("ICE San Francisco
# Field Office" is "ICE San Francisco").
_OFFICE_WORDS = frozenset({"field", "office", "offices", "division", "resident", "branch",
                           "s", "of", "the", "in", "at"})
_OF_AGENCY = re.compile(r"^(?P<place>.+?)\s+(?:of|at)\s+(?:the\s+)?(?P<agency>.+)$",
                        re.IGNORECASE)
# "Navy of Mexico", "Policía Nacional del Perú", "Polícia Federal do Brasil"
_OF_COUNTRY = frozenset({"of", "in", "de", "del", "da", "do", "des", "du", "di"})
_COMPATIBLE = 80  # token-set similarity above which two names of one acronym are one agency


def _looks_like_acronym(text: str) -> bool:
    compact = text.replace(".", "").replace("-", "").replace("&", "")
    return (
        1 < len(compact) <= 12
        and " " not in text.strip()
        and sum(c.isupper() for c in compact) >= 2
    )


_WRAPPERS = (('"', '"'), ("'", "'"), ("\u201c", "\u201d"), ("\u2018", "\u2019"),
             ("**", "**"), ("*", "*"), ("__", "__"), ("_", "_"), ("`", "`"))


def clean_name(raw: str) -> str:
    """A name without the marks documents leave on it: footnote marks after it
    ("FBI*", "DEA[2]"), quotes or emphasis wrapped around all of it, and a
    leading "the". Anything else is the name as written."""
    name = " ".join(raw.split())
    if name[:1].isalnum() and (name[-1:].isalnum() or name.endswith(")")) \
            and name[:4].lower() != "the ":
        return name  # nothing to clean: most names
    for opening, closing in _WRAPPERS:
        if len(name) > len(opening) + len(closing) and name.startswith(opening) \
                and name.endswith(closing):
            name = name[len(opening):-len(closing)].strip()
    name = _MARKS.sub("", name) or name
    if name[:4].lower() == "the " and len(name) > 4:
        name = name[4:]
    return name or raw


def split_acronym(name: str) -> tuple[str, str | None]:
    """Split ``"Name (ACR)"`` into ``("Name", "ACR")``.

    Also reads ``"DEA (Drug Enforcement Administration)"``, ``"Name [ACR]"`` and
    ``"Name - ACR"``; a name that is only an acronym ("FBI") comes back as
    ``("FBI", "FBI")``.
    """
    match = _ACRONYM.match(name) or _DASHED.match(name)
    if match:
        outer, inner = match["name"].strip(), match["inner"].strip()
        if _looks_like_acronym(inner):
            return outer, inner
        if _looks_like_acronym(outer) and match.re is _ACRONYM:
            return inner, outer
    if _looks_like_acronym(name):
        return name, name
    return name, None


def _qualifier_code(words: list[str]) -> str | None:
    """The country words name ("Mexico's", "U.S.", "Dutch", "Georgia" the US state)."""
    if not words:
        return None
    text = " ".join([*words[:-1], _POSSESSIVE.sub("", words[-1])])
    key = fold(text)
    if key.startswith("the "):
        key = key[4:]
    if key in _subdivisions("US") and key not in DEMONYMS:
        return "US"
    return _qualifier_index().get(key)


@lru_cache(maxsize=1)
def _qualifier_words() -> frozenset[str]:
    """Every folded word that may open or close a name naming a country."""
    names = list(_qualifier_index()) + list(_subdivisions("US"))
    return frozenset(w for name in names for w in (name.split()[0], name.split()[-1]))


def _may_name_country(word: str) -> bool:
    return fold(_POSSESSIVE.sub("", word)) in _qualifier_words()


@lru_cache(maxsize=65_536)
def country_qualifier(name: str) -> tuple[str, str | None]:
    """A name without the country it names, and that country's code:
    "Mexican Navy", "Mexico's Navy", "Navy of Mexico", "Navy (Mexico)" and
    "Navy, Mexico" are ``("Navy", "MX")``; a US state names the US ("Texas
    Department of Public Safety"); ``(name, None)`` when it names none."""
    words = name.split()
    if len(words) < 2:
        return name, None
    first = words[1] if words[0].lower() == "the" and len(words) > 2 else words[0]
    last = words[-1].strip("()")
    if not (_may_name_country(first) or _may_name_country(last)):
        return name, None  # most names: no country at either end
    match = re.match(r"^(?P<core>.+?)\s*(?:\((?P<paren>[^()]+)\)|,\s*(?P<comma>[^,]+))$", name)
    if match:
        code = _qualifier_code((match["paren"] or match["comma"]).split())
        if code:
            return match["core"].strip(), code
    for size in (3, 2, 1):
        if len(words) > size:
            code = _qualifier_code(words[:size])
            if code:
                return " ".join(words[size:]), code
            if words[-size - 1].lower() in _OF_COUNTRY:
                code = _qualifier_code(words[-size:])
                if code and len(words) > size + 1:
                    return " ".join(words[:-size - 1]), code
    return name, None


@dataclass(frozen=True, slots=True)
class _Name:
    """A checked, cleaned agency name taken apart once."""

    text: str  # as cleaned: "U.S. Drug Enforcement Administration (DEA)"
    name: str  # without its acronym: "U.S. Drug Enforcement Administration"
    acronym: str | None  # "DEA"; the name itself for a bare acronym
    core: str  # without the country it names: "Drug Enforcement Administration"
    named: str | None  # the country it names: "US"
    # "Dutch National Police (Politie)": the name outside the brackets and the
    # other name inside, when that is no acronym
    outer: str | None = None
    alias: str | None = None


def _parse(text: str) -> _Name:
    name, acronym = split_acronym(text)
    core, named = country_qualifier(name)
    if acronym is None and text.endswith(")"):
        match = _ACRONYM.match(text)
        if match:
            return _Name(text, name, acronym, core, named, match["name"].strip(),
                         match["inner"].strip())
    return _Name(text, name, acronym, core, named)


def is_generic(name: str) -> bool:
    """Whether a name says only what kind of body it is ("National Police",
    "Federal Police", "Coast Guard"), and so names a different agency in each
    country."""
    words = fold(name).split()
    return bool(words) and all(w in GENERIC_WORDS for w in words)


def _similar(a: str, b: str) -> bool:
    return fuzz.token_set_ratio(fold(a), fold(b)) >= _COMPATIBLE


def _office_place(words: list[str]) -> str:
    return " ".join(w for w in fold(" ".join(words)).split() if w not in _OFFICE_WORDS)


class AgencyResolver:
    """Resolves agency names onto one entity each, remembering what it resolved.

    Seeded with the reference catalogue, the agencies already in the store and
    a user's aliases (``{alias: canonical name}``). What a name resolves to:

    - its folded form, an alias or an acronym known before ("FBI", "the
      Bureau"), acronyms the current document defines first
      (:meth:`begin_document`, :meth:`register_full_names`);
    - a name that names a country ("U.S. Drug Enforcement Administration",
      "Canadian RCMP", "National Police of Colombia") is the agency of that
      name in that country, never one of another country;
    - a name and acronym whose acronym is known ("Drug Enforcement Agency
      (DEA)") is that agency only when the names agree; "Philippine National
      Police (PNP)" is not Peru's national police because both use PNP, and a
      bare acronym two agencies use is an :class:`AmbiguousValue`;
    - a name that starts with a known agency ("ICE San Francisco", "FBI's Los
      Angeles Field Office") or ends with one ("Los Angeles Division of the
      FBI") is a field office PART_OF it, one per parent and place; one whose
      rest is itself a known agency ("ICE Homeland Security Investigations")
      is that agency;
    - anything else is a new agency.
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
        self._qualified: dict[str, Agency] = {}  # "core name|CC" -> agency
        self._offices: dict[str, Agency] = {}  # "parent id|place" -> field office
        self._acronyms: dict[str, list[Agency]] = {}  # folded acronym -> its agencies
        self._document: dict[str, Agency] = {}  # acronyms the current document defines
        self._resolved: dict[tuple[str, str | None], Agency] = {}  # (raw, home) -> agency
        self._generic_names: set[str] = set()  # folded catalogue names valid with a country only
        if use_catalogue:
            self._add_catalogue()
        for agency in existing or []:
            current = self._by_id.get(agency.id)
            if current is None:
                self._add(agency)
            else:  # the store's record wins over the catalogue's, aliases combined
                for alias in agency.aliases:
                    if alias not in current.aliases:
                        current.aliases.append(alias)
                current.acronym = current.acronym or agency.acronym
                current.country = current.country or agency.country
                current.version += 1
                self._index(current)
        for alias, canonical in (aliases or {}).items():
            target = self.find(canonical) or self.resolve(canonical)
            if fold(alias) not in target.lookup_keys():
                target.aliases.append(alias)
                target.version += 1
            self._index(target)

    def _add_catalogue(self) -> None:
        ids = {k.name: _catalogue_id(k) for k in AGENCIES}
        for known in AGENCIES:
            if known.generic:
                self._generic_names.add(fold(known.name))
            self._add(
                Agency(
                    ids[known.name], known.name, known.acronym, known.country,
                    ids.get(known.parent) if known.parent else None, list(known.aliases),
                )
            )

    # -- the index ---------------------------------------------------------------
    def _add(self, agency: Agency) -> None:
        self._by_id[agency.id] = agency
        self._index(agency)

    def _index(self, agency: Agency) -> None:
        keys = agency.lookup_keys()
        for key in keys:
            if key in self._generic_names and agency.country:
                continue  # "Policía Nacional" alone is no country's in particular
            self._by_key.setdefault(key[4:] if key.startswith("the ") else key, agency)
        if agency.acronym:
            owners = self._acronyms.setdefault(fold(agency.acronym), [])
            if agency not in owners:
                owners.append(agency)
        if agency.country:
            for variant in [agency.name, *agency.aliases, agency.acronym or ""]:
                if variant:
                    core, _ = country_qualifier(split_acronym(variant)[0])
                    for key in {fold(core), fold(variant)}:
                        self._qualified.setdefault(f"{key}|{agency.country}", agency)
        if agency.parent:
            parent, place_words = self._parent_of(agency.name)
            place = _office_place(place_words)
            if parent is not None and parent.id == agency.parent and place:
                self._offices.setdefault(f"{parent.id}|{place}", agency)

    def _plain(self, text: str) -> Agency | None:
        """The agency a name is known by, the current document's acronyms first
        (keys are indexed without a leading "the", so "the Bureau" is "Bureau")."""
        key = fold(text)
        if key.startswith("the "):
            key = key[4:]
        return self._document.get(key) or self._by_key.get(key)

    def get(self, agency_id: str) -> Agency | None:
        return self._by_id.get(agency_id)

    def agencies(self) -> list[Agency]:
        return list(self._by_id.values())

    # -- documents ---------------------------------------------------------------
    def begin_document(self) -> None:
        """Forget what the previous document's acronyms meant: each document
        defines its own ("PNP" may be Peru's police in one, the Philippines' in
        the next)."""
        self._document.clear()
        self._resolved.clear()

    def register_full_names(self, names: list[str]) -> None:
        """Resolve "Name (ACR)" forms first so that bare acronyms later join them."""
        for raw in dict.fromkeys(names):
            if not _NAME_AND_ACRONYM.search(raw):
                continue  # no "Name (ACR)" form: nothing to register
            try:
                parsed = _parse(clean_name(check_name("agency", raw)))
            except ValueError:
                continue
            if parsed.acronym and parsed.name != parsed.acronym and (raw, None) not in \
                    self._resolved:
                try:
                    self._resolved[(raw, None)] = self._resolve(parsed, None)
                except UnknownValue:
                    continue

    # -- resolution --------------------------------------------------------------
    def find(self, raw: str, home: str | None = None) -> Agency | None:
        """The known agency ``raw`` names, or None; learns and creates nothing."""
        try:
            parsed = _parse(clean_name(check_name("agency", raw)))
            return self._known(parsed, home, self._parent_of(parsed.name))
        except (ValueError, UnknownValue):
            return None

    def resolve(self, raw: str, home: str | None = None) -> Agency:
        """The agency named by ``raw``, created when nothing known matches it.

        ``home`` is the alpha-2 code a table states for the agency's country: it
        tells apart generic names ("National Police" of Colombia and of Spain)
        and is the country of an agency it creates. Raises ValueError
        for an unusable name and :class:`AmbiguousValue` for an acronym two
        known agencies use.
        """
        cached = self._resolved.get((raw, home))
        if cached is not None:
            return cached
        agency = self._resolve(_parse(clean_name(check_name("agency", raw))), home)
        self._resolved[(raw, home)] = agency
        return agency

    def split(self, raw: str) -> list[str]:
        """The agencies a cell meant for one names: itself, or its parts when it
        is no known agency and every part of it is ("FBI & HSI", "DEA and ICE")."""
        if not _AGENCY_SPLIT.search(raw) or self.find(raw) is not None:
            return [raw]  # no separator (most cells), or one name holding it
        parts = [part for part in _AGENCY_SPLIT.split(raw) if part.strip()]
        if len(parts) > 1 and all(self.find(part) is not None for part in parts):
            return parts
        return [raw]

    def split_list(self, raw: str) -> list[str]:
        """The agencies of a list cell ("FBI, DEA and ICE"): split on semicolons
        when it has any, else on commas, slashes, "and" and "&", keeping
        together the pieces of a known name that holds them ("Bureau of
        Alcohol, Tobacco, Firearms and Explosives")."""
        if ";" in raw:
            return [part for part in split_list(raw) if part]
        raw = _NOT_APPLICABLE.sub("", raw)
        pieces = [p for p in _LIST_PIECES.split(raw) if p.strip() and not is_placeholder(p)]
        if len(pieces) < 2:
            return pieces
        result: list[str] = []
        i = 0
        while i < len(pieces):
            for j in range(len(pieces), i, -1):
                joined = self._joined(raw, pieces[i:j])
                if j == i + 1 or (joined is not None and self.find(joined) is not None):
                    result.append(joined if joined is not None else pieces[i])
                    i = j
                    break
        return result

    @staticmethod
    def _joined(raw: str, pieces: list[str]) -> str | None:
        """The stretch of ``raw`` from the first piece to the last."""
        start = raw.find(pieces[0])
        end = raw.find(pieces[-1], start) if start >= 0 else -1
        return raw[start:end + len(pieces[-1])] if end >= 0 else None

    def _known(self, n: _Name, home: str | None,
               parent: tuple[Agency | None, list[str]]) -> Agency | None:
        """The known agency a parsed name is; ``parent`` is :meth:`_parent_of` its name."""
        country = n.named or home
        if n.acronym == n.name and len(self._acronyms.get(fold(n.name), ())) > 1:
            return self._by_acronym(n.name, n.name, country)  # two agencies use it
        for candidate in (n.text, n.name):
            found = self._plain(candidate)
            if found is not None and self._fits(found, candidate, n.named, home):
                return found
        if country:
            for candidate in (n.name, n.core):
                found = self._qualified.get(f"{fold(candidate)}|{country}")
                if found is not None:
                    return found
        if n.named:
            found = self._plain(n.core)
            if found is not None and found.country == n.named:
                return found
        if n.acronym:
            found = self._by_acronym(n.acronym, n.name, country)
            if found is not None:
                return found
        if n.alias and n.outer:  # "Dutch National Police (Politie)": both name one agency
            inner = self._plain(n.alias)
            if inner is not None and self._plain(n.outer) in (None, inner):
                return inner
        return self._office(*parent)

    def _fits(self, found: Agency, name: str, named: str | None, home: str | None) -> bool:
        """Whether ``found``, known by ``name``, is the agency meant where the name
        (``named``) or its table (``home``) says which country it is in."""
        if named and found.country and found.country != named:
            return False  # "Mexican Coast Guard" is not the U.S. Coast Guard
        # "National Police" in a row saying Colombia is not a "National Police" of
        # no known country; a name of one agency ("DEA" in a row saying Mexico)
        # is that agency wherever it acted
        return not (home and found.country is None and is_generic(name))

    def _by_acronym(self, acronym: str, name: str, country: str | None) -> Agency | None:
        key = fold(acronym)
        found = self._document.get(key)
        if found is not None:
            return found if name == acronym or self._agrees(found, name) else None
        owners = self._acronyms.get(key, [])
        if country:
            owners = [a for a in owners if a.country in (country, None)] or owners
        if name != acronym:  # "Name (ACR)": the acronym's agency if the names agree
            return next((a for a in owners if self._agrees(a, name)), None)
        if len(owners) > 1:
            raise AmbiguousValue("agency acronym", acronym, [a.name for a in owners])
        return owners[0] if owners else self._by_key.get(key)

    @staticmethod
    def _agrees(agency: Agency, name: str) -> bool:
        """Whether ``name`` is another way of writing the agency's name."""
        if agency.acronym and agency.name == agency.acronym:
            return True  # only its acronym was known: the name completes it
        core = country_qualifier(name)[0]
        return any(_similar(core, known) or _similar(name, known)
                   for known in (agency.name, *agency.aliases))

    def _office(self, parent: Agency | None, place_words: list[str]) -> Agency | None:
        """The known field office of ``parent`` at a place, or the known component
        of it the words name ("ICE Homeland Security Investigations" is HSI)."""
        if parent is None:
            return None
        inner = self._plain(" ".join(place_words))
        if inner is not None and inner.parent == parent.id:
            return inner  # a component named after its parent ("ICE HSI")
        place = _office_place(place_words)
        if not place:
            return parent  # "ICE San Francisco Field Office" is "ICE San Francisco"
        return self._offices.get(f"{parent.id}|{place}")

    def _parent_of(self, name: str) -> tuple[Agency | None, list[str]]:
        """The known agency a field office is named after ("ICE San Francisco",
        "FBI's Los Angeles Field Office", "Los Angeles Division of the FBI") and
        the words naming the office's place."""
        words = name.split()
        for cut in range(len(words) - 1, 0, -1):
            last = words[cut - 1]
            if last[-1:] in ("s", "'", "\u2019"):  # "FBI's Los Angeles Field Office"
                last = _POSSESSIVE.sub("", last)
            parent = self._plain(" ".join([*words[:cut - 1], last]))
            if parent is not None:
                return parent, words[cut:]
        match = _OF_AGENCY.match(name)
        if match:
            parent = self._plain(match["agency"])
            if parent is not None:
                return parent, match["place"].split()
        return None, []

    def _resolve(self, n: _Name, home: str | None) -> Agency:
        """The agency of a parsed name, learnt or created."""
        parent_of = self._parent_of(n.name)
        found = self._known(n, home, parent_of)
        if found is not None:
            self._learn(found, n, home)
            return found
        parent = parent_of[0]
        country = n.named or (parent.country if parent else None) or home
        display = n.name
        if home and not n.named and is_generic(n.name):
            display = f"{n.name} ({country_name(home)})"  # "National Police (Colombia)"
        agency_id = slug(display)
        existing = self._by_id.get(agency_id)
        if existing is not None and (existing.country in (None, country) or not country):
            self._learn(existing, n, home)
            return existing
        if existing is not None:
            agency_id = slug(f"{display} {country}")
        agency = Agency(
            agency_id, display, n.acronym if n.acronym != n.name else None, country,
            parent.id if parent else None,
        )
        if n.acronym == n.name:  # only an acronym is known for now
            agency.acronym = n.acronym
        self._add_names(agency, n, home)
        self._add(agency)
        self._define(agency, n)
        return agency

    def _define(self, agency: Agency, n: _Name) -> None:
        """Bind an acronym the current document defines ("Name (ACR)") to its agency."""
        if n.acronym and n.name != n.acronym:
            self._document[fold(n.acronym)] = agency

    def _add_names(self, agency: Agency, n: _Name, home: str | None) -> None:
        """Add the text and name of ``n`` to the aliases of ``agency``. A generic
        name ("National Police") read in a row stating the country is a name of
        it only in that country: it is kept out of its aliases, which any later
        document would look up."""
        keys = set(agency.lookup_keys())
        composite = n.acronym is not None and fold(n.name) in keys and fold(n.acronym) in keys
        for variant in (n.name,) if composite else (n.text, n.name):
            key = fold(variant)
            if home and is_generic(variant):
                self._qualified.setdefault(f"{key}|{home}", agency)
            elif key not in keys:
                agency.aliases.append(variant)
                keys.add(key)

    def _learn(self, agency: Agency, n: _Name, home: str | None = None) -> None:
        """Remember the names of ``n`` as names of the known ``agency``."""
        if n.acronym and not agency.acronym:
            agency.acronym = n.acronym
        if agency.acronym and agency.name == agency.acronym and n.name != n.acronym:
            agency.aliases.append(agency.name)  # a full name for an acronym-only agency
            agency.name = n.name
        self._add_names(agency, n, home)
        agency.version += 1
        self._index(agency)
        self._define(agency, n)


_AGENCY_SPLIT = re.compile(r"\s*(?:[,;/+]|&|\band\b)\s*", re.IGNORECASE)
_LIST_PIECES = re.compile(r"\s*(?:[,/|+]|&|\band\b)\s*", re.IGNORECASE)


def _catalogue_id(known: KnownAgency) -> str:
    """A catalogue agency's id: the slug of its name, with its country for a
    generic name ("policia-nacional-es"), which other countries' agencies share."""
    if known.country and known.generic:
        return slug(f"{known.name} {known.country}")
    return slug(known.name)
