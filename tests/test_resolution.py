"""Recognising tables and resolving names: headers, countries, regions, money, agencies."""

from __future__ import annotations

import pytest

from loaders.catalogue import AGENCIES, SECTORS
from loaders.normalise import (
    AgencyResolver,
    AmbiguousValue,
    Country,
    country_qualifier,
    market_sector,
    parse_money_range,
    parse_number,
    resolve_countries,
    resolve_regions,
)
from loaders.shapes import Shape, recognise

US = Country("US", "United States")


@pytest.mark.parametrize(
    ("headers", "shape", "fields"),
    [
        # the shapes of the example articles
        (("Agency", "Primary Function", "Operational Area"), Shape.AGENCY_AREAS,
         {"agency": 0, "function": 1, "area": 2}),
        (("Agency", "Role", "Operational Impact"), Shape.PARTICIPANTS,
         {"agency": 0, "role": 1, "impact": 2}),
        (("Operation", "Countries Involved", "Outcome"), Shape.OPERATIONS,
         {"operation": 0, "countries": 1, "outcome": 2}),
        (("Crime Sector", "Estimated Annual Revenue", "Targeted Financial Disruptions"),
         Shape.SECTORS, {"sector": 0, "revenue": 1, "disruptions": 2}),
        (("Indicator", "Before Operation", "After Operation"), Shape.METRICS,
         {"indicator": 0, "before": 1, "after": 2}),
        # other words for the same fields
        (("Operation Name", "Participating Nations", "Year", "Result"), Shape.OPERATIONS,
         {"operation": 0, "countries": 1, "date": 2, "outcome": 3}),
        (("Agency", "Function", "Area of Responsibility"), Shape.AGENCY_AREAS,
         {"agency": 0, "function": 1, "area": 2}),  # "X of Y" is an X
        (("Lead Agency", "Responsibilities", "Geographic Focus"), Shape.AGENCY_AREAS,
         {"agency": 0, "function": 1, "area": 2}),
        (("Agency", "Key Contribution", "Outcome"), Shape.PARTICIPANTS,
         {"agency": 0, "role": 1, "impact": 2}),  # an agency's outcome is its impact
        (("Agency", "Role", "Contribution"), Shape.PARTICIPANTS,
         {"agency": 0, "role": 1, "impact": 2}),  # a second role-like column: the impact
        (("Crime Type", "Estimated Global Value", "Key Countermeasures"), Shape.SECTORS,
         {"sector": 0, "revenue": 1, "disruptions": 2}),
        (("Metric", "Pre-Operation", "Post-Operation"), Shape.METRICS,
         {"indicator": 0, "before": 1, "after": 2}),
        (("Name of Agency", "Type of Crime", "Jurisdiction"), Shape.AGENCY_AREAS,
         {"agency": 0, "sector": 1, "area": 2}),
        (("Operation", "Lead Agency", "Partner Countries", "Outcome"), Shape.OPERATIONS,
         {"operation": 0, "agencies": 1, "countries": 2, "outcome": 3}),
        # a country column beside an agency: the agency's country
        (("Country", "Lead Agency", "Key Result"), Shape.PARTICIPANTS,
         {"country": 0, "agency": 1, "impact": 2}),
        # what countries did in the document's (or the row's) operation
        (("Country", "Role", "Contribution"), Shape.COUNTRY_PARTICIPANTS,
         {"country": 0, "role": 1, "impact": 2}),
        (("Operation", "Country", "Role"), Shape.COUNTRY_PARTICIPANTS,
         {"operation": 0, "country": 1, "role": 2}),
        # agencies with roles: a participants table, whatever else it has
        (("Operation", "Agency", "Role", "Impact", "Country"), Shape.PARTICIPANTS,
         {"operation": 0, "agency": 1, "role": 2, "impact": 3, "country": 4}),
        # an operation's list of countries is not one agency's country
        (("Operation", "Lead Agency", "Countries", "Outcome"), Shape.OPERATIONS,
         {"operation": 0, "agencies": 1, "countries": 2, "outcome": 3}),
    ],
)
def test_tables_are_recognised_by_their_headers(
    headers: tuple[str, ...], shape: Shape, fields: dict[str, int]
) -> None:
    found = recognise(headers, [])
    assert found is not None, headers
    assert found.shape is shape
    assert {f.value: i for f, i in found.columns.items()} == fields


@pytest.mark.parametrize(
    "headers",
    [
        ("Focus Area", "Initiative", "Expected Outcome"),  # a plan, not a fact
        ("Key Area", "Strategic Focus", "Expected Outcome"),
        ("Focus Area", "Recommended Initiative", "Anticipated Benefit"),
        ("Challenge", "Impact", "Proposed Solution"),  # no one acts in it
        ("Lesson", "Detail"),
        ("Threat", "Trend", "Response"),
    ],
)
def test_tables_of_no_graph_data_are_not_recognised(headers: tuple[str, ...]) -> None:
    assert recognise(headers, []) is None


@pytest.mark.parametrize(
    ("cells", "shape"),
    [
        ([("Mexico", "Arrests", "x"), ("Canada", "Patrols", "y")], Shape.COUNTRY_PARTICIPANTS),
        ([("FBI", "Arrests", "x"), ("DEA", "Patrols", "y")], Shape.PARTICIPANTS),
    ],
)
def test_the_values_decide_what_a_partner_column_holds(
    cells: list[tuple[str, ...]], shape: Shape
) -> None:
    found = recognise(("Partner", "Contribution", "Impact"), cells)
    assert found is not None and found.shape is shape


def test_a_column_of_numbers_is_no_name_column() -> None:
    """A wide country table whose headers could name a participants table."""
    rows = [("Mexico", "7.5", "8.0"), ("Peru", "6.0", "5.5")]
    found = recognise(("Country", "Human trafficking", "Arms trafficking"), rows)
    assert found is not None and found.shape is Shape.MARKETS


@pytest.mark.parametrize(
    ("raw", "codes"),
    [
        ("Trinidad and Tobago, Jamaica", ["TT", "JM"]),  # "and" inside a name
        ("U.S. Virgin Islands", ["VI"]),  # ISO writes it "Virgin Islands, U.S."
        ("Republic of Korea and Japan", ["KR", "JP"]),
        ("Spain, Italy, Greece, N/A", ["ES", "IT", "GR"]),  # a placeholder names nothing
        ("U.S., Mexico and others", ["US", "MX"]),
        ("U.S./Mexico", ["US", "MX"]),
        ("United Kingdom; USA; Japan & Switzerland", ["GB", "US", "JP", "CH"]),
        ("N/A", []),
        ("—", []),
    ],
)
def test_country_lists_as_documents_write_them(raw: str, codes: list[str]) -> None:
    assert [c.code for c in resolve_countries(raw)] == codes


@pytest.mark.parametrize(
    ("raw", "home", "regions"),
    [
        ("Texas", US, [("us-texas", "US")]),  # a state is part of its country
        ("Texas", None, [("us-texas", "US")]),  # a state no country shares a name with
        ("Georgia", US, [("us-georgia", "US")]),  # the state, for a US agency
        ("Georgia", None, [("ge-nationwide", "GE")]),  # otherwise the country
        ("Southern California", US, [("us-southern-california", "US")]),
        ("Midwest", US, [("midwestern-united-states", "US")]),  # as "Midwestern U.S."
        ("Southern border", US, [("us-southern-border", "US")]),  # named from inside
        ("Colombia-Venezuela border", US, [("colombia-venezuela-border", None)]),
        ("Arizona and New Mexico", US, [("us-arizona", "US"), ("us-new-mexico", "US")]),
        ("Ontario", US, [("ca-ontario", "CA")]),
        ("EU-wide", None, [("european-union", None)]),
        ("Various", US, []),
        ("Mexico", Country("MX", "Mexico"), [("mx-nationwide", "MX")]),  # not the state
    ],
)
def test_regions(raw: str, home: Country | None, regions: list[tuple[str, str | None]]) -> None:
    found = resolve_regions(raw, home)
    assert [(r.id, r.country.code if r.country else None) for r in found] == regions


@pytest.mark.parametrize(
    ("text", "amount", "high", "currency"),
    [
        ("$100 Billion", 1e11, None, "USD"),
        ("$30-50 billion", 3e10, 5e10, "USD"),  # the unit after a range applies to both
        ("$1.5\u20132 trillion", 1.5e12, 2e12, "USD"),
        ("$500 million - $1 billion", 5e8, 1e9, "USD"),
        ("US$ 2 trillion", 2e12, None, "USD"),
        ("\u20ac3.5 billion", 3.5e9, None, "EUR"),
        ("15 billion USD", 1.5e10, None, "USD"),
    ],
)
def test_money_and_ranges(text: str, amount: float, high: float | None, currency: str) -> None:
    money = parse_money_range(text)
    assert money is not None
    assert (money.amount, money.high, money.currency) == (amount, high, currency)


@pytest.mark.parametrize(
    ("text", "number"),
    [("1,200", 1200), ("12,000,000", 12000000), ("7,5", 7.5), ("7.50", 7.5), ("12%", 12),
     ("-3", -3), ("1,2,3", None), ("500 lbs", None)],
)
def test_numbers(text: str, number: float | None) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize(
    ("header", "sector"),
    [
        ("Cocaine trade", "cocaine-trade"),
        ("Arms trafficking", "firearms-trafficking"),
        ("Cyber-dependent crimes", "cybercrime"),
        ("Human trafficking (2023)", "human-trafficking"),  # the year is not the sector
        ("Criminality", None),  # a country's overall score
        ("Resilience", None),
        ("Rank", None),
        ("Mafia-style groups", None),  # criminal actors, not a market
        ("Population", None),
    ],
)
def test_wide_table_columns_that_are_markets(header: str, sector: str | None) -> None:
    found = market_sector(header)
    assert (found.id if found else None) == sector


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Mexican Navy", ("Navy", "MX")),
        ("Mexico's Fiscalía General", ("Fiscalía General", "MX")),
        ("National Police of Colombia", ("National Police", "CO")),
        ("Policía Nacional del Perú", ("Policía Nacional", "PE")),
        ("Federal Police (Brazil)", ("Federal Police", "BR")),
        ("The Canadian RCMP", ("RCMP", "CA")),
        ("Texas Department of Public Safety", ("Department of Public Safety", "US")),
        ("Federal Bureau of Investigation", ("Federal Bureau of Investigation", None)),
        ("ICE San Francisco", ("ICE San Francisco", None)),
    ],
)
def test_country_qualifier(name: str, expected: tuple[str, str | None]) -> None:
    assert country_qualifier(name) == expected


@pytest.mark.parametrize(
    ("names", "agency"),
    [
        # a country named in front of a known agency's name or acronym
        (["U.S. Drug Enforcement Administration", "US DEA"], "drug-enforcement-administration"),
        (["The Canadian RCMP", "Canada's RCMP"], "royal-canadian-mounted-police"),
        # a common misnomer with the right acronym
        (["Drug Enforcement Agency (DEA)"], "drug-enforcement-administration"),
        # markup and footnote marks left on names
        (["“ICE”", "ICE*", "ICE[2]"], "us-immigration-and-customs-enforcement"),
        # one field office however it is written
        (["ICE San Francisco", "ICE San Francisco Field Office", "ICE's San Francisco office",
          "San Francisco Field Office of ICE"], "ice-san-francisco"),
        # a component named after its parent
        (["ICE Homeland Security Investigations", "HSI"], "homeland-security-investigations"),
        (["Colombian National Police", "National Police of Colombia"],
         "policia-nacional-de-colombia"),
        # another name of the agency in brackets
        (["Dutch National Police (Politie)", "Politie"], "dutch-national-police"),
    ],
)
def test_names_of_one_agency(names: list[str], agency: str) -> None:
    resolver = AgencyResolver()
    assert {resolver.resolve(name).id for name in names} == {agency}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Mexican Coast Guard", "Coast Guard"),  # a country's own, not the U.S. one
        ("Philippine National Police (PNP)", "Policía Nacional del Perú"),
        ("Policía Nacional", "Spanish National Police"),  # the name alone is no country's
        ("ICE San Francisco", "ICE Los Angeles"),
    ],
)
def test_names_of_two_agencies(first: str, second: str) -> None:
    resolver = AgencyResolver()
    assert resolver.resolve(first).id != resolver.resolve(second).id


def test_a_table_country_tells_generic_names_apart() -> None:
    resolver = AgencyResolver()
    ids = {code: resolver.resolve("National Police", code).id for code in ("CO", "ES", "PE")}
    assert ids == {"CO": "policia-nacional-de-colombia", "ES": "policia-nacional-es",
                   "PE": "policia-nacional-del-peru"}
    # a generic name with a country the catalogue does not know gets it in its name
    haiti = resolver.resolve("National Police", "HT")
    assert (haiti.name, haiti.country) == ("National Police (Haiti)", "HT")
    # one the catalogue knows by another name
    assert resolver.resolve("Federal Police", "AR").name == "Policía Federal Argentina"
    # a name of one agency stays that agency whatever country the row names
    assert resolver.resolve("DEA", "MX").id == "drug-enforcement-administration"
    # and the bare generic name learnt in those rows names none of them
    assert resolver.resolve("National Police").id == "national-police"


def test_acronyms_a_document_defines_win_in_that_document() -> None:
    resolver = AgencyResolver(use_catalogue=False)
    resolver.begin_document()
    resolver.register_full_names(["Policía Nacional del Perú (PNP)"])
    peru = resolver.resolve("PNP")
    resolver.begin_document()
    resolver.register_full_names(["Philippine National Police (PNP)"])
    philippines = resolver.resolve("PNP")
    assert peru.id != philippines.id
    assert philippines.name == "Philippine National Police"
    resolver.begin_document()  # a third document that defines neither
    with pytest.raises(AmbiguousValue, match="PNP") as info:
        resolver.resolve("PNP")
    assert set(info.value.suggestions) == {"Policía Nacional del Perú",
                                           "Philippine National Police"}


@pytest.mark.parametrize(
    ("cell", "parts"),
    [
        ("FBI & HSI", ["FBI", "HSI"]),
        ("FBI and DEA", ["FBI", "DEA"]),
        ("Europol/Eurojust", ["Europol", "Eurojust"]),
        ("Fish and Wildlife Service", ["Fish and Wildlife Service"]),  # one name
        ("Bureau of Alcohol, Tobacco, Firearms and Explosives",
         ["Bureau of Alcohol, Tobacco, Firearms and Explosives"]),
        ("Local police and FBI", ["Local police and FBI"]),  # not every part is known
    ],
)
def test_a_cell_naming_several_agencies(cell: str, parts: list[str]) -> None:
    assert AgencyResolver().split(cell) == parts


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("Bureau of Alcohol, Tobacco, Firearms and Explosives, FBI and DEA",
         ["Bureau of Alcohol, Tobacco, Firearms and Explosives", "FBI", "DEA"]),
        ("FBI; DEA, Mexico office; ICE", ["FBI", "DEA, Mexico office", "ICE"]),
        ("Europol, Eurojust, N/A", ["Europol", "Eurojust"]),
    ],
)
def test_agency_lists(cell: str, names: list[str]) -> None:
    assert AgencyResolver().split_list(cell) == names


def test_the_catalogue_is_consistent() -> None:
    """Every parent is in the catalogue, and no two agencies share an acronym or a name."""
    from graph.model import fold

    names = {k.name for k in AGENCIES}
    assert all(k.parent in names for k in AGENCIES if k.parent)
    acronyms = [fold(k.acronym) for k in AGENCIES if k.acronym]
    assert len(acronyms) == len(set(acronyms))
    keys = [fold(n) for k in AGENCIES for n in (k.name, *k.aliases)]
    assert len(keys) == len(set(keys))
    sector_keys = [s for sector in SECTORS for s in sector.synonyms]
    assert len(sector_keys) == len(set(sector_keys))


@pytest.mark.parametrize(
    ("header", "value", "amount", "currency"),
    [
        ("Estimated Annual Revenue (US$ billions)", "45", 4.5e10, "USD"),
        ("Value (USD bn)", "1.1", 1.1e9, "USD"),
        ("Revenue (\u20acm)", "3.5", 3.5e6, "EUR"),
        ("Proceeds in millions", "300", 3e8, "USD"),
        ("Revenue (US$ billions)", "$2 million", 2e6, "USD"),  # a figure's own unit wins
        ("Estimated Annual Revenue", "45", 45.0, "USD"),  # no unit anywhere: as written
        ("Revenue (2023)", "45", 45.0, "USD"),  # a year in brackets is no unit
    ],
)
def test_a_header_gives_its_figures_a_unit(header: str, value: str, amount: float,
                                           currency: str) -> None:
    from loaders.normalise import header_money

    money = parse_money_range(value, *header_money(header))
    assert money is not None and (money.amount, money.currency) == (amount, currency)
