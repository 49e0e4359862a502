"""Which kind of table is this? Shapes are recognised from headers by synonyms.

Header matching folds case, spacing and punctuation. A table whose headers
match no shape is reported as skipped with its headers, never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from graph.model import fold
from loaders.normalise import market_sector, parse_number, resolve_countries


class Field(StrEnum):
    AGENCY = "agency"
    FUNCTION = "function"
    AREA = "area"
    ROLE = "role"
    IMPACT = "impact"
    OPERATION = "operation"
    COUNTRIES = "countries"
    OUTCOME = "outcome"
    DATE = "date"
    AGENCIES = "agencies"
    SECTOR = "sector"
    REVENUE = "revenue"
    DISRUPTIONS = "disruptions"
    INDICATOR = "indicator"
    BEFORE = "before"
    AFTER = "after"
    COUNTRY = "country"  # the key column of a wide country table


class Shape(StrEnum):
    AGENCY_AREAS = "agency-areas"  # agency / function / operational area
    PARTICIPANTS = "participants"  # agency / role / impact (of the document's operation)
    COUNTRY_PARTICIPANTS = "country-participants"  # country / role / contribution
    OPERATIONS = "operations"  # operation / countries / outcome
    SECTORS = "sectors"  # crime sector / revenue / disruptions
    METRICS = "metrics"  # indicator / before / after
    MARKETS = "markets"  # wide: one row per country, one numeric column per crime sector


# Headers that name a field exactly (folded).
SYNONYMS: dict[Field, tuple[str, ...]] = {
    Field.AGENCY: ("agency", "agencies involved", "law enforcement agency", "organization",
                   "organisation", "partner agency", "participating agency", "unit", "department",
                   "agency name", "lead agency", "agency organization", "agency organisation",
                   "law enforcement", "authority", "institution", "body", "participant",
                   "partner", "participants", "partners", "entity", "stakeholder"),
    Field.FUNCTION: ("primary function", "function", "main function", "responsibility",
                     "responsibilities", "mission", "primary role", "key function", "mandate",
                     "primary responsibility", "main responsibilities", "key responsibilities",
                     "focus", "primary focus", "specialization", "specialisation", "expertise"),
    Field.AREA: ("operational area", "area", "area of operation", "area of operations",
                 "operating area", "region", "jurisdiction", "location", "coverage",
                 "area of responsibility", "operational region", "geographic focus",
                 "geographic area", "geographical area", "territory", "regions", "areas"),
    Field.ROLE: ("role", "role in operation", "task", "contribution", "key role", "main role",
                 "role in the operation", "key contribution", "contributions", "tasks",
                 "involvement", "activity", "activities", "participation"),
    Field.IMPACT: ("operational impact", "impact", "result", "results", "achievement",
                   "achievements", "key result", "key results", "outcome", "outcomes",
                   "key achievements", "accomplishments", "effect", "contribution"),
    Field.OPERATION: ("operation", "operation name", "joint operation", "project", "campaign",
                      "initiative name", "operation title", "codename", "code name",
                      "operation codename", "name of operation", "operations"),
    Field.COUNTRIES: ("countries involved", "countries", "participating countries", "country",
                      "nations", "nations involved", "partner countries", "participating nations",
                      "partner nations", "countries participating", "member states",
                      "countries and territories", "jurisdictions", "involved countries",
                      "states involved", "participating states"),
    Field.OUTCOME: ("outcome", "outcomes", "result", "results", "key outcome", "key outcomes",
                    "key results", "impact", "achievements", "status"),
    Field.DATE: ("date", "year", "when", "period", "timeframe", "time frame", "dates",
                 "year launched", "launched", "start date", "duration"),
    Field.AGENCIES: ("agencies", "agencies involved", "participating agencies", "partners",
                     "lead agency", "lead agencies", "partner agencies", "key agencies",
                     "key partners", "organizations involved", "organisations involved",
                     "led by", "coordinated by", "lead", "coordinating agency"),
    Field.SECTOR: ("crime sector", "sector", "crime type", "crime", "criminal market", "market",
                   "type of crime", "crime category", "criminal activity", "illicit market",
                   "threat", "offence", "offense", "crime area", "targeted crime", "target",
                   "focus crime"),
    Field.REVENUE: ("estimated annual revenue", "annual revenue", "revenue", "estimated revenue",
                    "estimated value", "annual value", "estimated global value",
                    "estimated annual value", "market value", "value", "annual proceeds",
                    "proceeds", "profits", "annual profits", "estimated profits", "market size",
                    "turnover", "estimated annual proceeds", "estimated worth", "worth"),
    Field.DISRUPTIONS: ("targeted financial disruptions", "disruptions", "financial disruptions",
                        "countermeasures", "measures", "key countermeasures", "responses",
                        "response", "interventions", "enforcement actions", "disruption tactics",
                        "targeted disruptions", "key disruptions"),
    Field.INDICATOR: ("indicator", "metric", "measure", "kpi", "statistic", "indicators",
                      "metrics", "key indicator", "category"),
    Field.BEFORE: ("before operation", "before", "pre operation", "baseline",
                   "before the operation", "pre op", "prior", "previously"),
    Field.AFTER: ("after operation", "after", "post operation", "after the operation", "post op",
                  "following"),
    Field.COUNTRY: ("country", "country name", "nation", "state", "jurisdiction",
                    "participating country", "partner country", "home country",
                    "country of origin", "member state", "partner nation"),
}

# Words of a header that name a field when the header as a whole is no synonym
# ("Agency Name", "Area of Responsibility", "Participating Nations"), singular.
KEYWORDS: dict[Field, tuple[str, ...]] = {
    Field.AGENCY: ("agency", "organization", "organisation", "authority", "department",
                   "institution", "law enforcement", "police", "bureau"),
    Field.FUNCTION: ("function", "responsibility", "mission", "mandate", "duty", "focus",
                     "specialization", "specialisation", "specialty", "expertise"),
    Field.AREA: ("area", "region", "jurisdiction", "location", "coverage", "territory", "zone",
                 "geographic", "geographical", "geography"),
    Field.ROLE: ("role", "task", "contribution", "involvement", "activity", "participation",
                 "capability"),
    Field.IMPACT: ("impact", "result", "achievement", "accomplishment", "effect", "outcome",
                   "output", "contribution"),
    Field.OPERATION: ("operation", "project", "campaign", "codename"),
    Field.COUNTRIES: ("country", "nation", "member state"),
    Field.OUTCOME: ("outcome", "result", "impact", "achievement", "accomplishment"),
    Field.DATE: ("date", "year", "period", "timeframe", "launched"),
    Field.AGENCIES: ("agency", "organization", "organisation", "partner"),
    Field.SECTOR: ("crime", "sector", "market", "threat", "offence", "offense", "criminality"),
    Field.REVENUE: ("revenue", "value", "proceeds", "profit", "turnover", "worth", "earning",
                    "income"),
    Field.DISRUPTIONS: ("disruption", "countermeasure", "measure", "response", "intervention",
                        "tactic"),
    Field.INDICATOR: ("indicator", "metric", "kpi", "statistic"),
    Field.BEFORE: ("before", "pre", "baseline", "prior"),
    Field.AFTER: ("after", "post"),
    Field.COUNTRY: ("country", "nation"),
}
# A header with one of these words is a plan or a recommendation, not a fact.
_PLANNED = frozenset({"expected", "anticipated", "recommended", "proposed", "planned",
                      "projected", "intended", "desired", "potential", "future", "goal",
                      "objective", "target outcome"})
# Words after which a header names what it is about ("Area of Responsibility" is an area).
_OF = frozenset({"of", "for", "in", "by", "on", "per"})
# Headers whose column may hold agencies or countries: the values decide.
_EITHER = frozenset({"partner", "partners", "participant", "participants", "member", "members",
                     "entity", "stakeholder", "name", "location", "state", "jurisdiction"})
_TEXT_FIELDS = frozenset({Field.AGENCY, Field.OPERATION, Field.COUNTRIES, Field.COUNTRY,
                          Field.SECTOR, Field.INDICATOR, Field.AGENCIES, Field.ROLE,
                          Field.FUNCTION})
_COUNTRY_FIELDS = frozenset({Field.COUNTRY, Field.COUNTRIES})


@dataclass(frozen=True, slots=True)
class Rule:
    """A shape and the fields a table needs for it. ``absent``: fields it must not
    have; ``unless``: fields that together say the table is of another shape."""

    shape: Shape
    needed: frozenset[Field]
    absent: frozenset[Field] = frozenset()
    unless: frozenset[Field] = frozenset()


_AGENTS = frozenset({Field.AGENCY, Field.AGENCIES})
# An agency and its role: the rows are what each agency did, not operations.
_AGENCY_ROLES = frozenset({Field.AGENCY, Field.ROLE})

# Fields each shape needs; the first rule a table fits wins.
REQUIRED: tuple[Rule, ...] = (
    # "Operation | Country | Role": what each country did (not the operation's list)
    Rule(Shape.COUNTRY_PARTICIPANTS, frozenset({Field.COUNTRY, Field.ROLE}), _AGENTS),
    Rule(Shape.OPERATIONS, frozenset({Field.OPERATION, Field.COUNTRIES}),
         unless=_AGENCY_ROLES),
    Rule(Shape.OPERATIONS, frozenset({Field.OPERATION, Field.AGENCIES}),
         frozenset({Field.ROLE, Field.IMPACT})),
    Rule(Shape.PARTICIPANTS, frozenset({Field.AGENCY, Field.IMPACT})),
    Rule(Shape.PARTICIPANTS, frozenset({Field.AGENCY, Field.ROLE, Field.OPERATION})),
    Rule(Shape.AGENCY_AREAS, frozenset({Field.AGENCY, Field.AREA})),
    Rule(Shape.PARTICIPANTS, frozenset({Field.AGENCY, Field.ROLE})),
    Rule(Shape.PARTICIPANTS, frozenset({Field.AGENCY, Field.OPERATION})),
    Rule(Shape.AGENCY_AREAS, frozenset({Field.AGENCY, Field.FUNCTION})),
    Rule(Shape.COUNTRY_PARTICIPANTS, frozenset({Field.COUNTRY, Field.IMPACT}), _AGENTS),
    Rule(Shape.SECTORS, frozenset({Field.SECTOR, Field.REVENUE})),
    Rule(Shape.METRICS, frozenset({Field.INDICATOR, Field.BEFORE, Field.AFTER})),
)

KNOWN_SHAPES = (
    "agency / primary function / operational area",
    "agency / role / operational impact (participants of the document's operation)",
    "country / role / contribution (countries taking part in the document's operation)",
    "operation / countries involved / outcome [/ date / agencies / crime sector]",
    "crime sector / estimated annual revenue / targeted disruptions",
    "indicator / before / after (metrics of the document's operation)",
    "country / one numeric column per crime sector or market [/ year] (wide country table)",
)
EXAMPLE_FIELDS = (Field.AGENCY, Field.ROLE, Field.IMPACT, Field.OPERATION)


@dataclass(frozen=True, slots=True)
class Recognised:
    shape: Shape
    columns: dict[Field, int]  # field -> column index
    markets: tuple[int, ...] = ()  # wide tables: the numeric columns, one sector each


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _keywords(key: str) -> list[Field]:
    """Fields named by words of a folded header, the word it is about first: the
    last word before "of"/"for"/"in" ("Area of Responsibility": area), then the
    others left to right."""
    words = [_singular(w) for w in key.split()]
    if not words or _PLANNED.intersection(words):
        return []
    cut = next((i for i, w in enumerate(words) if w in _OF and i > 0), len(words))
    text = " ".join(words)
    found: list[tuple[int, Field]] = []
    for f, names in KEYWORDS.items():
        for name in names:
            at = f" {text} ".find(f" {name} ")
            if at >= 0:
                position = text[:at].count(" ")
                rank = -position if position < cut else position + len(words)
                found.append((rank, f))
    found.sort(key=lambda item: item[0])
    return list(dict.fromkeys(f for _, f in found))


def _candidates(header: str) -> tuple[list[Field], list[Field]]:
    """The fields a header may name: exactly (a synonym, or a field a --mapping file
    renamed it to), and by its words."""
    key = fold(header)
    exact = [f for f in Field if key == f.value]
    exact += [f for f, names in SYNONYMS.items() if key in names and f not in exact]
    return exact, [f for f in _keywords(key) if f not in exact]


def apply_mapping(headers: tuple[str, ...], mapping: dict[str, str]) -> tuple[str, ...]:
    """Headers renamed by a user mapping ``{header: field}`` (headers matched folded)."""
    folded = {fold(k): v for k, v in mapping.items()}
    return tuple(folded.get(fold(h), h) for h in headers)


def check_mapping(mapping: dict[str, str]) -> None:
    """Raise ValueError naming a mapping target that is no known field."""
    known = {f.value for f in Field}
    for header, target in mapping.items():
        if target not in known:
            raise ValueError(
                f"mapping of {header!r} names unknown field {target!r}; known fields: "
                f"{', '.join(sorted(known))}"
            )


def _values(rows: list[tuple[str, ...]], index: int) -> list[str]:
    return [r[index] for r in rows if index < len(r) and r[index].strip()]


def _mostly_numeric(rows: list[tuple[str, ...]], index: int) -> bool:
    values = _values(rows, index)
    if not values:
        return False
    numeric = sum(parse_number(v) is not None for v in values)
    return numeric >= 0.6 * len(values)


def _mostly_countries(rows: list[tuple[str, ...]], index: int) -> bool:
    """Whether at least 60% of a column's values are countries or lists of them."""
    values = _values(rows, index)
    if not values:
        return False
    known = 0
    for value in values:
        try:
            resolve_countries(value)
        except ValueError:
            continue
        known += 1
    return known >= 0.6 * len(values)


@dataclass(frozen=True, slots=True)
class _Column:
    exact: list[Field]
    words: list[Field]

    def __contains__(self, f: object) -> bool:
        return f in self.exact or f in self.words


def _columns(headers: tuple[str, ...], rows: list[tuple[str, ...]] | None) -> list[_Column]:
    """The candidate fields of each column. A header that may name agencies or
    countries ("Partner", "Location") names countries when its values are
    countries, and is no country column otherwise."""
    out = []
    for index, header in enumerate(headers):
        exact, words = _candidates(header)
        if fold(header) in _EITHER and rows is not None:
            if _mostly_countries(rows, index):
                countries = [Field.COUNTRY, Field.COUNTRIES]
                exact = countries + [f for f in exact if f not in _AGENTS and f not in countries]
                words = [f for f in words if f not in _AGENTS and f not in countries]
            else:
                exact = [f for f in exact if f not in _COUNTRY_FIELDS]
                words = [f for f in words if f not in _COUNTRY_FIELDS]
        out.append(_Column(exact, words))
    return out


def recognise_wide(headers: tuple[str, ...], rows: list[tuple[str, ...]],
                   options: list[_Column] | None = None) -> Recognised | None:
    """A wide country table: a country column and numeric columns (one per sector).
    ``options`` are the columns' candidate fields when :func:`recognise` has them."""
    options = options if options is not None else _columns(headers, rows)
    country = next((i for i, o in enumerate(options) if Field.COUNTRY in o.exact), None)
    if country is None:
        return None
    year = next((i for i, o in enumerate(options) if fold(headers[i]) == "year"), None)
    markets = tuple(
        i for i, h in enumerate(headers)
        if i not in (country, year) and h.strip() and _mostly_numeric(rows, i)
        and market_sector(h) is not None
    )
    if not markets:
        return None
    columns = {Field.COUNTRY: country}
    if year is not None:
        columns[Field.DATE] = year
    return Recognised(Shape.MARKETS, columns, markets)


def recognise(
    headers: tuple[str, ...], rows: list[tuple[str, ...]] | None = None
) -> Recognised | None:
    """The shape of a table with these headers, or None when it is not graph data.

    ``rows`` (cell tuples, the first few hundred are enough) let the values
    decide: a column of numbers is no name column, a "Partner" column of
    countries is a country column, and a wide country table is told by its
    numbers.
    """
    options = _columns(headers, rows)
    for rule in REQUIRED:
        found = _fit(rule, options, rows)
        if found is not None:
            return found
    if rows is not None:
        return recognise_wide(headers, rows, options)
    return None


def _fit(rule: Rule, options: list[_Column],
         rows: list[tuple[str, ...]] | None) -> Recognised | None:
    """The columns of ``rule``'s fields, exact names first; None when it does not fit."""
    if any(f in column for column in options for f in rule.absent):
        return None
    if rule.unless and all(any(f in column for column in options) for f in rule.unless):
        return None
    wanted = rule.needed | _OPTIONAL[rule.shape]
    columns: dict[Field, int] = {}
    taken: set[int] = set()
    for tier in ("exact", "words"):
        for index, column in enumerate(options):
            if index in taken:
                continue
            for f in getattr(column, tier):
                # an optional country is a "Country" column: "Countries" lists several
                if tier == "words" and f is Field.COUNTRY and f not in rule.needed:
                    continue
                if f in wanted and f not in columns:
                    columns[f] = index
                    taken.add(index)
                    break
    if not rule.needed <= columns.keys():
        return None
    if rows is not None and any(
        f in _TEXT_FIELDS and _mostly_numeric(rows, index) for f, index in columns.items()
    ):
        return None
    return Recognised(rule.shape, columns)


_OPTIONAL: dict[Shape, frozenset[Field]] = {
    Shape.OPERATIONS: frozenset({Field.OUTCOME, Field.DATE, Field.AGENCIES, Field.SECTOR}),
    Shape.PARTICIPANTS: frozenset({Field.ROLE, Field.FUNCTION, Field.IMPACT, Field.OPERATION,
                                   Field.DATE, Field.SECTOR, Field.COUNTRY}),
    Shape.COUNTRY_PARTICIPANTS: frozenset({Field.ROLE, Field.IMPACT, Field.OPERATION,
                                           Field.DATE, Field.SECTOR}),
    Shape.AGENCY_AREAS: frozenset({Field.FUNCTION, Field.ROLE, Field.SECTOR, Field.AREA,
                                   Field.COUNTRY}),
    Shape.SECTORS: frozenset({Field.DISRUPTIONS}),
    Shape.METRICS: frozenset({Field.OPERATION}),
    Shape.MARKETS: frozenset(),
}
