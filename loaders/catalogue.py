"""Reference data: well-known agencies, country aliases and the crime-sector taxonomy.

These are facts about the world that documents take for granted ("FBI",
"U.S.", "narcotics"); the resolvers in :mod:`loaders.normalise` start from
them. A user alias file extends them.
"""

from __future__ import annotations

from typing import NamedTuple


class KnownAgency(NamedTuple):
    name: str
    acronym: str | None
    country: str | None  # ISO 3166-1 alpha-2
    parent: str | None = None  # canonical name of the parent agency
    aliases: tuple[str, ...] = ()


AGENCIES: tuple[KnownAgency, ...] = (
    KnownAgency("Federal Bureau of Investigation", "FBI", "US", aliases=("the Bureau",)),
    KnownAgency("Drug Enforcement Administration", "DEA", "US"),
    KnownAgency(
        "Bureau of Alcohol, Tobacco, Firearms and Explosives", "ATF", "US",
        aliases=("Bureau of Alcohol, Tobacco and Firearms",),
    ),
    KnownAgency(
        "U.S. Immigration and Customs Enforcement", "ICE", "US",
        aliases=("Immigration and Customs Enforcement", "US ICE"),
    ),
    KnownAgency(
        "Homeland Security Investigations", "HSI", "US",
        parent="U.S. Immigration and Customs Enforcement",
    ),
    KnownAgency(
        "U.S. Customs and Border Protection", "CBP", "US",
        aliases=("Customs and Border Protection",),
    ),
    KnownAgency("U.S. Marshals Service", "USMS", "US", aliases=("US Marshals",)),
    KnownAgency("U.S. Secret Service", "USSS", "US", aliases=("Secret Service",)),
    KnownAgency("U.S. Coast Guard", "USCG", "US", aliases=("Coast Guard",)),
    KnownAgency(
        "Internal Revenue Service Criminal Investigation", "IRS-CI", "US", aliases=("IRS CI",)
    ),
    KnownAgency("Department of Homeland Security", "DHS", "US"),
    KnownAgency("Department of Justice", "DOJ", "US", aliases=("U.S. Department of Justice",)),
    KnownAgency(
        "European Union Agency for Law Enforcement Cooperation", "Europol", None,
        aliases=("European Police Office",),
    ),
    KnownAgency(
        "International Criminal Police Organization", "INTERPOL", None,
        aliases=("ICPO-INTERPOL",),
    ),
    KnownAgency(
        "European Union Agency for Criminal Justice Cooperation", "Eurojust", None,
    ),
    KnownAgency("United Nations Office on Drugs and Crime", "UNODC", None),
    KnownAgency("National Crime Agency", "NCA", "GB", aliases=("UK National Crime Agency",)),
    KnownAgency("Royal Canadian Mounted Police", "RCMP", "CA", aliases=("GRC",)),
    KnownAgency("Australian Federal Police", "AFP", "AU"),
    KnownAgency("Bundeskriminalamt", "BKA", "DE", aliases=("Federal Criminal Police Office",)),
    KnownAgency("Guardia di Finanza", "GdF", "IT"),
    KnownAgency("Polícia Federal", None, "BR", aliases=("Brazilian Federal Police",)),
    KnownAgency("Fiscalía General de la República", "FGR", "MX"),
)

# Names pycountry does not know, folded (see graph.model.fold) -> alpha-2.
COUNTRY_ALIASES: dict[str, str] = {
    "us": "US",
    "usa": "US",
    "united states": "US",
    "united states of america": "US",
    "america": "US",
    "uk": "GB",
    "britain": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "holland": "NL",
    "the netherlands": "NL",
    "turkey": "TR",
    "turkiye": "TR",
    "russia": "RU",
    "south korea": "KR",
    "korea": "KR",
    "north korea": "KP",
    "iran": "IR",
    "syria": "SY",
    "vietnam": "VN",
    "laos": "LA",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
    "czech republic": "CZ",
    "czechia": "CZ",
    "ivory coast": "CI",
    "cote divoire": "CI",
    "uae": "AE",
    "emirates": "AE",
    "drc": "CD",
    "dr congo": "CD",
    "democratic republic of congo": "CD",
    "burma": "MM",
    "macedonia": "MK",
    "taiwan": "TW",
    "palestine": "PS",
    "vatican": "VA",
    "kosovo": "XK",
}

# Names shown for countries whose ISO name is long or formal.
COUNTRY_DISPLAY_NAMES: dict[str, str] = {
    "US": "United States",
    "GB": "United Kingdom",
    "RU": "Russia",
    "KR": "South Korea",
    "KP": "North Korea",
    "IR": "Iran",
    "SY": "Syria",
    "VE": "Venezuela",
    "BO": "Bolivia",
    "TZ": "Tanzania",
    "MD": "Moldova",
    "VN": "Vietnam",
    "LA": "Laos",
    "TW": "Taiwan",
    "CD": "DR Congo",
    "XK": "Kosovo",
}


class Sector(NamedTuple):
    id: str
    name: str
    iccs: str | None  # UNODC International Classification of Crime for Statistical Purposes
    synonyms: tuple[str, ...]  # folded phrases naming the sector
    cues: tuple[str, ...]  # folded words or phrases that suggest it in free text


SECTORS: tuple[Sector, ...] = (
    Sector(
        "drug-trafficking", "Drug trafficking", "06012",
        ("drug trafficking", "narcotics", "narcotics trafficking", "drugs", "drug seizures",
         "drug smuggling", "illicit drugs", "drug enforcement"),
        ("drug", "drugs", "narcotic", "narcotics", "cocaine", "heroin", "fentanyl",
         "methamphetamine", "opioid", "opioids", "cannabis"),
    ),
    Sector(
        "human-trafficking", "Human trafficking", "0204",
        ("human trafficking", "trafficking in persons", "sex trafficking", "forced labour",
         "forced labor"),
        ("human trafficking", "trafficking in persons", "sex trafficking", "forced labour",
         "forced labor"),
    ),
    Sector(
        "migrant-smuggling", "Migrant smuggling", "08051",
        ("migrant smuggling", "human smuggling", "people smuggling", "smuggling of migrants"),
        ("human smuggling", "migrant smuggling", "people smuggling"),
    ),
    Sector(
        "firearms-trafficking", "Firearms trafficking", "09012",
        ("firearms trafficking", "arms trafficking", "weapons trafficking", "gun trafficking",
         "firearms"),
        ("firearm", "firearms", "weapons trafficking", "gun trafficking", "arms trafficking"),
    ),
    Sector(
        "money-laundering", "Money laundering", "07041",
        ("money laundering", "laundering", "illicit finance"),
        ("money laundering", "laundering", "illicit financial flows"),
    ),
    Sector(
        "cybercrime", "Cybercrime", None,
        ("cybercrime", "cyber crime", "cyber enabled crime", "computer crime"),
        ("cybercrime", "cyber crime", "ransomware", "hacking", "cyber"),
    ),
    Sector(
        "fraud", "Fraud", "0701",
        ("fraud", "financial fraud", "scams"),
        ("fraud", "scam", "scams"),
    ),
    Sector(
        "corruption", "Corruption", "0703",
        ("corruption", "bribery"),
        ("corruption", "bribery", "bribe", "bribes"),
    ),
    Sector(
        "organized-crime", "Organized crime", None,
        ("organized crime", "organised crime", "transnational organized crime"),
        ("cartel", "cartels", "organized crime", "organised crime", "mafia", "syndicate",
         "syndicates", "gang", "gangs"),
    ),
)
