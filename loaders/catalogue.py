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
    # The name alone names agencies of several countries ("Policía Nacional" is
    # Spain's, Colombia's, Peru's...): it is this one only with its country named.
    generic: bool = False


# Acronyms here are unique: one an agency of another country also uses (PNP is
# Peru's and the Philippines' national police, CNP Colombia's and Spain's, MPS
# London's and China's, NCB India's and INTERPOL's bureaux) is left out, so
# that a document names what it means ("Philippine National Police (PNP)").
AGENCIES: tuple[KnownAgency, ...] = (
    # United States
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
        "Enforcement and Removal Operations", "ERO", "US",
        parent="U.S. Immigration and Customs Enforcement",
    ),
    KnownAgency(
        "U.S. Customs and Border Protection", "CBP", "US",
        aliases=("Customs and Border Protection",),
    ),
    KnownAgency(
        "U.S. Border Patrol", "USBP", "US", parent="U.S. Customs and Border Protection",
        aliases=("Border Patrol",),
    ),
    KnownAgency("U.S. Marshals Service", "USMS", "US", aliases=("US Marshals",)),
    KnownAgency("U.S. Secret Service", "USSS", "US", aliases=("Secret Service",)),
    KnownAgency("U.S. Coast Guard", "USCG", "US", aliases=("Coast Guard",)),
    KnownAgency(
        "Internal Revenue Service Criminal Investigation", "IRS-CI", "US",
        aliases=("IRS CI", "IRS Criminal Investigation"),
    ),
    KnownAgency("Department of Homeland Security", "DHS", "US"),
    KnownAgency("Department of Justice", "DOJ", "US", aliases=("U.S. Department of Justice",)),
    KnownAgency(
        "U.S. Department of the Treasury", None, "US",
        aliases=("Department of the Treasury", "Treasury Department", "U.S. Treasury"),
    ),
    KnownAgency(
        "Office of Foreign Assets Control", "OFAC", "US",
        parent="U.S. Department of the Treasury",
    ),
    KnownAgency(
        "Financial Crimes Enforcement Network", "FinCEN", "US",
        parent="U.S. Department of the Treasury",
    ),
    KnownAgency(
        "U.S. Department of State", None, "US", aliases=("State Department", "Department of State"),
    ),
    KnownAgency(
        "Bureau of International Narcotics and Law Enforcement Affairs", "INL", "US",
        parent="U.S. Department of State",
    ),
    KnownAgency("U.S. Postal Inspection Service", "USPIS", "US",
                aliases=("Postal Inspection Service",)),
    KnownAgency("Diplomatic Security Service", "DSS", "US", parent="U.S. Department of State"),
    KnownAgency("Naval Criminal Investigative Service", "NCIS", "US"),
    KnownAgency(
        "Joint Interagency Task Force South", "JIATF-South", "US",
        aliases=("JIATF South", "JIATF-S"),
    ),
    KnownAgency("Organized Crime Drug Enforcement Task Forces", "OCDETF", "US"),
    KnownAgency("U.S. Fish and Wildlife Service", "USFWS", "US",
                aliases=("Fish and Wildlife Service",)),
    KnownAgency("Central Intelligence Agency", "CIA", "US"),
    # Canada
    KnownAgency(
        "Royal Canadian Mounted Police", "RCMP", "CA",
        aliases=("GRC", "Gendarmerie royale du Canada"),
    ),
    KnownAgency(
        "Canada Border Services Agency", "CBSA", "CA",
        aliases=("Agence des services frontaliers du Canada", "ASFC"),
    ),
    KnownAgency("Canadian Security Intelligence Service", "CSIS", "CA"),
    KnownAgency("Ontario Provincial Police", "OPP", "CA"),
    KnownAgency("Sûreté du Québec", None, "CA"),
    KnownAgency("Financial Transactions and Reports Analysis Centre of Canada", "FINTRAC", "CA"),
    # United Kingdom and Ireland
    KnownAgency("National Crime Agency", "NCA", "GB", aliases=("UK National Crime Agency",)),
    KnownAgency(
        "Metropolitan Police Service", None, "GB",
        aliases=("Metropolitan Police", "London Metropolitan Police", "Scotland Yard", "the Met"),
    ),
    KnownAgency("Border Force", None, "GB", aliases=("UK Border Force",), generic=True),
    KnownAgency(
        "HM Revenue and Customs", "HMRC", "GB",
        aliases=("Her Majesty's Revenue and Customs", "His Majesty's Revenue and Customs"),
    ),
    KnownAgency("Police Scotland", None, "GB"),
    KnownAgency("Police Service of Northern Ireland", "PSNI", "GB"),
    KnownAgency("Serious Fraud Office", "SFO", "GB"),
    KnownAgency(
        "An Garda Síochána", None, "IE",
        aliases=("Garda Síochána", "Gardaí", "Garda", "Irish police"),
    ),
    # Europe
    KnownAgency(
        "European Union Agency for Law Enforcement Cooperation", "Europol", None,
        aliases=("European Police Office",),
    ),
    KnownAgency(
        "European Union Agency for Criminal Justice Cooperation", "Eurojust", None,
    ),
    KnownAgency("European Border and Coast Guard Agency", "Frontex", None),
    KnownAgency("European Anti-Fraud Office", "OLAF", None),
    KnownAgency("European Public Prosecutor's Office", "EPPO", None),
    KnownAgency(
        "European Union Drugs Agency", "EUDA", None,
        aliases=("European Monitoring Centre for Drugs and Drug Addiction", "EMCDDA"),
    ),
    KnownAgency("Maritime Analysis and Operations Centre - Narcotics", "MAOC-N", None),
    KnownAgency(
        "Bundeskriminalamt", "BKA", "DE",
        aliases=("Federal Criminal Police Office", "German Federal Criminal Police Office"),
    ),
    KnownAgency("Bundespolizei", None, "DE", aliases=("German Federal Police",)),
    KnownAgency("Zollkriminalamt", "ZKA", "DE", aliases=("German Customs Investigation Bureau",)),
    KnownAgency("Guardia di Finanza", "GdF", "IT", aliases=("Italian Financial Police",)),
    KnownAgency("Arma dei Carabinieri", None, "IT",
                aliases=("Carabinieri", "Italian Carabinieri")),
    KnownAgency("Polizia di Stato", None, "IT",
                aliases=("Italian State Police", "Italian National Police")),
    KnownAgency("Direzione Centrale per i Servizi Antidroga", "DCSA", "IT"),
    KnownAgency("Guardia Civil", None, "ES", aliases=("Spanish Civil Guard", "Civil Guard")),
    KnownAgency(
        "Policía Nacional", None, "ES",
        aliases=("Spanish National Police", "Cuerpo Nacional de Policía",
                 "National Police of Spain"), generic=True,
    ),
    KnownAgency("Police nationale", None, "FR", aliases=("French National Police",),
                generic=True),
    KnownAgency("Gendarmerie nationale", None, "FR",
                aliases=("French Gendarmerie", "National Gendarmerie"), generic=True),
    KnownAgency("Office anti-stupéfiants", "OFAST", "FR"),
    KnownAgency(
        "Dutch National Police", None, "NL",
        aliases=("Netherlands Police", "National Police of the Netherlands", "Nationale Politie",
                 "Dutch Police", "Politie"),
    ),
    KnownAgency("Royal Netherlands Marechaussee", "KMar", "NL",
                aliases=("Koninklijke Marechaussee",)),
    KnownAgency("Fiscal Information and Investigation Service", "FIOD", "NL"),
    KnownAgency("Belgian Federal Police", None, "BE"),
    KnownAgency("Polícia Judiciária", None, "PT", aliases=("Portuguese Judicial Police",)),
    KnownAgency("Federal Office of Police", "fedpol", "CH"),
    KnownAgency("Swedish Police Authority", None, "SE", aliases=("Swedish Police", "Polisen")),
    KnownAgency("Turkish National Police", None, "TR",
                aliases=("General Directorate of Security",)),
    # Latin America and the Caribbean
    KnownAgency("Fiscalía General de la República", "FGR", "MX",
                aliases=("Mexican Attorney General's Office",)),
    KnownAgency("Secretaría de Marina", "SEMAR", "MX", aliases=("Mexican Navy",)),
    KnownAgency("Secretaría de la Defensa Nacional", "SEDENA", "MX",
                aliases=("Mexican Army", "Mexican Defense Ministry")),
    KnownAgency("Guardia Nacional", None, "MX",
                aliases=("Mexican National Guard", "National Guard of Mexico"), generic=True),
    KnownAgency(
        "Policía Nacional de Colombia", None, "CO",
        aliases=("Colombian National Police", "National Police of Colombia", "Colombian Police"),
    ),
    KnownAgency("Armada de Colombia", None, "CO",
                aliases=("Colombian Navy", "Armada de la República de Colombia",
                         "Armada Nacional de Colombia")),
    KnownAgency("Fiscalía General de la Nación", None, "CO",
                aliases=("Colombian Attorney General's Office",)),
    KnownAgency("Polícia Federal", None, "BR",
                aliases=("Brazilian Federal Police", "Federal Police of Brazil"), generic=True),
    KnownAgency("Policía Federal Argentina", "PFA", "AR", aliases=("Argentine Federal Police",)),
    KnownAgency("Policía de Investigaciones de Chile", "PDI", "CL"),
    KnownAgency("Carabineros de Chile", None, "CL"),
    KnownAgency("Policía Nacional del Perú", None, "PE", aliases=("Peruvian National Police",)),
    KnownAgency("Policía Nacional del Ecuador", None, "EC",
                aliases=("Ecuadorian National Police",)),
    KnownAgency("Policía Nacional Civil de Guatemala", None, "GT",
                aliases=("Guatemalan National Civil Police",)),
    KnownAgency("Policía Nacional Civil de El Salvador", None, "SV",
                aliases=("Salvadoran National Civil Police",)),
    KnownAgency("Policía Nacional de Honduras", None, "HN", aliases=("Honduran National Police",)),
    KnownAgency("Servicio Nacional Aeronaval", "SENAN", "PA",
                aliases=("National Aeronaval Service",)),
    KnownAgency("Dirección Nacional de Control de Drogas", "DNCD", "DO",
                aliases=("Dominican National Drug Control Directorate",)),
    KnownAgency("Jamaica Constabulary Force", "JCF", "JM"),
    # Asia-Pacific
    KnownAgency("Australian Federal Police", "AFP", "AU"),
    KnownAgency("Australian Border Force", "ABF", "AU"),
    KnownAgency("Australian Criminal Intelligence Commission", "ACIC", "AU"),
    KnownAgency("Australian Transaction Reports and Analysis Centre", "AUSTRAC", "AU"),
    KnownAgency("New Zealand Police", None, "NZ", aliases=("NZ Police",)),
    KnownAgency("Hong Kong Police Force", "HKPF", "HK", aliases=("Hong Kong Police",)),
    KnownAgency("Ministry of Public Security", None, "CN",
                aliases=("Chinese Ministry of Public Security",), generic=True),
    KnownAgency("National Police Agency of Japan", None, "JP",
                aliases=("Japanese National Police Agency", "Japan National Police Agency")),
    KnownAgency("Korean National Police Agency", "KNPA", "KR"),
    KnownAgency("Royal Thai Police", None, "TH"),
    KnownAgency("Philippine National Police", None, "PH"),
    KnownAgency("Philippine Drug Enforcement Agency", "PDEA", "PH"),
    KnownAgency("Indonesian National Police", "Polri", "ID"),
    KnownAgency("Badan Narkotika Nasional", "BNN", "ID", aliases=("National Narcotics Board",)),
    KnownAgency("Royal Malaysia Police", "PDRM", "MY"),
    KnownAgency("Singapore Police Force", "SPF", "SG"),
    KnownAgency("Central Narcotics Bureau", "CNB", "SG"),
    KnownAgency("Central Bureau of Investigation", "CBI", "IN"),
    KnownAgency("National Investigation Agency", "NIA", "IN"),
    KnownAgency("Anti-Narcotics Force", "ANF", "PK"),
    KnownAgency("Federal Investigation Agency", "FIA", "PK"),
    # Africa and the Middle East
    KnownAgency("South African Police Service", "SAPS", "ZA"),
    KnownAgency("Directorate for Priority Crime Investigation", "DPCI", "ZA",
                aliases=("the Hawks",)),
    KnownAgency("National Drug Law Enforcement Agency", "NDLEA", "NG"),
    KnownAgency("Economic and Financial Crimes Commission", "EFCC", "NG"),
    KnownAgency("Israel Police", None, "IL"),
    KnownAgency("Dubai Police", None, "AE"),
    # International
    KnownAgency(
        "International Criminal Police Organization", "INTERPOL", None,
        aliases=("ICPO-INTERPOL",),
    ),
    KnownAgency("United Nations Office on Drugs and Crime", "UNODC", None),
    KnownAgency("World Customs Organization", "WCO", None),
    KnownAgency("Police Community of the Americas", "AMERIPOL", None),
    KnownAgency("African Union Mechanism for Police Cooperation", "AFRIPOL", None),
    KnownAgency("ASEAN National Police", "ASEANAPOL", None),
    KnownAgency("Financial Action Task Force", "FATF", None),
)

# Words of agency names that say what kind of body it is, not which: a name made
# only of them ("National Police", "Federal Police", "Coast Guard") means a
# different agency in each country. Words of a mandate (drug, crime,
# investigation, bureau) are not among them: "Drug Enforcement Administration"
# names one agency.
GENERIC_WORDS = frozenset({
    "national", "federal", "state", "civil", "royal", "central", "general", "public",
    "republic", "police", "policia", "polizia", "politie", "polis", "policie", "polizei",
    "policja", "guard", "guardia", "guarda", "gendarmerie", "gendarmeria", "navy", "army",
    "armada", "marine", "marines", "military", "coast", "customs", "aduana", "aduanas",
    "service", "services", "force", "forces", "corps", "ministry", "ministerio", "interior",
    "security", "border", "borders", "directorate", "department", "office", "prosecutor",
    "prosecutors", "prosecution", "attorney", "attorneys", "s", "judicial", "agency",
    "intelligence", "immigration", "local", "municipal", "regional", "provincial", "county",
    "highway", "patrol", "of", "the", "and", "for", "de", "la", "del", "da", "do", "di",
    "des", "du", "nacional", "nationale", "federale",
})

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


# Adjectives naming a country before an agency ("Mexican Navy", "Dutch National
# Police"), folded -> alpha-2.
DEMONYMS: dict[str, str] = {
    "american": "US", "us": "US", "canadian": "CA", "mexican": "MX", "british": "GB",
    "uk": "GB", "english": "GB", "scottish": "GB", "welsh": "GB", "irish": "IE",
    "colombian": "CO", "brazilian": "BR", "argentine": "AR", "argentinian": "AR",
    "chilean": "CL", "peruvian": "PE", "ecuadorian": "EC", "ecuadorean": "EC",
    "venezuelan": "VE", "bolivian": "BO", "paraguayan": "PY", "uruguayan": "UY",
    "guatemalan": "GT", "honduran": "HN", "salvadoran": "SV", "salvadorian": "SV",
    "nicaraguan": "NI", "costa rican": "CR", "panamanian": "PA", "cuban": "CU",
    "dominican": "DO", "haitian": "HT", "jamaican": "JM", "trinidadian": "TT",
    "spanish": "ES", "italian": "IT", "french": "FR", "german": "DE", "dutch": "NL",
    "belgian": "BE", "portuguese": "PT", "swiss": "CH", "austrian": "AT", "polish": "PL",
    "czech": "CZ", "slovak": "SK", "hungarian": "HU", "romanian": "RO", "bulgarian": "BG",
    "greek": "GR", "croatian": "HR", "serbian": "RS", "bosnian": "BA", "albanian": "AL",
    "slovenian": "SI", "montenegrin": "ME", "macedonian": "MK", "ukrainian": "UA",
    "russian": "RU", "belarusian": "BY", "lithuanian": "LT", "latvian": "LV",
    "estonian": "EE", "finnish": "FI", "swedish": "SE", "norwegian": "NO", "danish": "DK",
    "icelandic": "IS", "luxembourgish": "LU", "maltese": "MT", "cypriot": "CY",
    "turkish": "TR", "israeli": "IL", "palestinian": "PS", "lebanese": "LB",
    "jordanian": "JO", "syrian": "SY", "iraqi": "IQ", "iranian": "IR", "saudi": "SA",
    "emirati": "AE", "qatari": "QA", "kuwaiti": "KW", "omani": "OM", "yemeni": "YE",
    "egyptian": "EG", "libyan": "LY", "tunisian": "TN", "algerian": "DZ",
    "moroccan": "MA", "nigerian": "NG", "ghanaian": "GH", "kenyan": "KE",
    "ethiopian": "ET", "south african": "ZA", "tanzanian": "TZ", "ugandan": "UG",
    "senegalese": "SN", "ivorian": "CI", "cameroonian": "CM", "angolan": "AO",
    "mozambican": "MZ", "zimbabwean": "ZW", "zambian": "ZM", "afghan": "AF",
    "pakistani": "PK", "indian": "IN", "bangladeshi": "BD", "sri lankan": "LK",
    "nepalese": "NP", "chinese": "CN", "japanese": "JP", "korean": "KR",
    "south korean": "KR", "north korean": "KP", "taiwanese": "TW", "vietnamese": "VN",
    "thai": "TH", "cambodian": "KH", "laotian": "LA", "burmese": "MM", "myanmar": "MM",
    "malaysian": "MY", "singaporean": "SG", "indonesian": "ID", "filipino": "PH",
    "philippine": "PH", "australian": "AU", "new zealand": "NZ", "kazakh": "KZ",
    "uzbek": "UZ", "georgian": "GE", "armenian": "AM", "azerbaijani": "AZ",
    "moldovan": "MD", "hong kong": "HK",
}

# Cell texts that hold no value: "N/A", "Unknown", "Various", "—".
PLACEHOLDERS = frozenset({
    "", "n a", "na", "none", "nil", "null", "unknown", "various", "multiple", "several",
    "tbd", "tba", "tbc", "not applicable", "not available", "not disclosed", "undisclosed",
    "classified", "other", "others", "etc", "et al", "and others", "multiple countries",
    "various countries", "several countries", "many countries", "other countries",
    "multiple states", "various states", "several states", "multiple regions",
    "various regions", "multiple locations", "various locations", "multiple jurisdictions",
    "various jurisdictions", "not specified", "unspecified", "not reported", "x",
})

# Regions that are no country, folded -> (id, name).
REGION_ALIASES: dict[str, tuple[str, str]] = {
    "eu": ("european-union", "European Union"),
    "european union": ("european-union", "European Union"),
    "eu wide": ("european-union", "European Union"),
    "across the eu": ("european-union", "European Union"),
    "eu member states": ("european-union", "European Union"),
    "schengen area": ("schengen-area", "Schengen Area"),
    "latin america": ("latin-america", "Latin America"),
    "central america": ("central-america", "Central America"),
    "south america": ("south-america", "South America"),
    "north america": ("north-america", "North America"),
    "caribbean": ("caribbean", "Caribbean"),
    "the caribbean": ("caribbean", "Caribbean"),
    "europe": ("europe", "Europe"),
    "western europe": ("western-europe", "Western Europe"),
    "eastern europe": ("eastern-europe", "Eastern Europe"),
    "balkans": ("balkans", "Balkans"),
    "western balkans": ("western-balkans", "Western Balkans"),
    "africa": ("africa", "Africa"),
    "west africa": ("west-africa", "West Africa"),
    "east africa": ("east-africa", "East Africa"),
    "sahel": ("sahel", "Sahel"),
    "middle east": ("middle-east", "Middle East"),
    "asia": ("asia", "Asia"),
    "southeast asia": ("southeast-asia", "Southeast Asia"),
    "south east asia": ("southeast-asia", "Southeast Asia"),
    "asia pacific": ("asia-pacific", "Asia-Pacific"),
    "oceania": ("oceania", "Oceania"),
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
         "forced labor", "trafficking in human beings", "people trafficking"),
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
         "firearms", "illicit firearms", "arms smuggling", "gun smuggling"),
        ("firearm", "firearms", "weapons trafficking", "gun trafficking", "arms trafficking"),
    ),
    Sector(
        "money-laundering", "Money laundering", "07041",
        ("money laundering", "laundering", "illicit finance"),
        ("money laundering", "laundering", "illicit financial flows"),
    ),
    Sector(
        "cybercrime", "Cybercrime", None,
        ("cybercrime", "cyber crime", "cyber enabled crime", "computer crime",
         "cyber dependent crimes", "cyber dependent crime", "cyber crimes", "ransomware"),
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
        "cocaine-trade", "Cocaine trade", "06012",
        ("cocaine trade", "cocaine trafficking", "cocaine"), (),
    ),
    Sector(
        "heroin-trade", "Heroin trade", "06012",
        ("heroin trade", "heroin trafficking", "heroin"), (),
    ),
    Sector(
        "cannabis-trade", "Cannabis trade", "06012",
        ("cannabis trade", "cannabis trafficking", "cannabis", "marijuana trafficking"), (),
    ),
    Sector(
        "synthetic-drug-trade", "Synthetic drug trade", "06012",
        ("synthetic drug trade", "synthetic drugs", "synthetic drug trafficking",
         "synthetic opioids", "fentanyl trafficking", "methamphetamine trafficking"), (),
    ),
    Sector(
        "wildlife-trafficking", "Wildlife trafficking", "1003",
        ("wildlife trafficking", "wildlife crime", "wildlife crimes", "illegal wildlife trade",
         "trafficking in wildlife", "fauna crimes", "fauna crime", "poaching"),
        ("wildlife", "ivory", "poaching", "pangolin", "pangolins", "rhino horn"),
    ),
    Sector(
        "flora-crimes", "Flora crimes", None,
        ("flora crimes", "flora crime", "illegal logging", "timber trafficking",
         "timber smuggling"),
        ("illegal logging", "timber"),
    ),
    Sector(
        "non-renewable-resource-crimes", "Non-renewable resource crimes", "1004",
        ("non renewable resource crimes", "non renewable resource crime", "illegal mining",
         "natural resource crimes", "environmental crime", "environmental crimes"),
        ("illegal mining",),
    ),
    Sector(
        "counterfeiting", "Counterfeiting", None,
        ("counterfeiting", "counterfeit goods", "counterfeit medicines", "illicit trade in "
         "counterfeit goods", "intellectual property crime", "ip crime", "counterfeit products"),
        ("counterfeit", "counterfeiting", "counterfeits"),
    ),
    Sector(
        "extortion", "Extortion", None,
        ("extortion", "extortion and protection racketeering", "protection racketeering",
         "racketeering"),
        ("extortion", "racketeering"),
    ),
    Sector(
        "kidnapping", "Kidnapping", None,
        ("kidnapping", "kidnap for ransom", "kidnappings", "abduction"),
        ("kidnapping", "kidnap", "kidnappings"),
    ),
    Sector(
        "excise-goods-trade", "Illicit trade in excisable goods", None,
        ("illicit trade in excisable goods", "excise goods", "tobacco smuggling",
         "cigarette smuggling", "illicit tobacco"),
        ("cigarettes", "tobacco smuggling", "cigarette smuggling"),
    ),
    Sector(
        "terrorism", "Terrorism", None,
        ("terrorism", "terrorist financing", "counter terrorism", "counterterrorism"),
        ("terrorism", "terrorist", "terrorists"),
    ),
    Sector(
        "child-sexual-exploitation", "Child sexual exploitation", None,
        ("child sexual exploitation", "child sexual abuse", "csam", "child pornography",
         "online child sexual exploitation", "child exploitation"),
        ("child sexual", "csam", "child exploitation"),
    ),
    Sector(
        "financial-crimes", "Financial crimes", None,
        ("financial crimes", "financial crime", "white collar crime", "economic crime",
         "economic crimes"), (),
    ),
    Sector(
        "organized-crime", "Organized crime", None,
        ("organized crime", "organised crime", "transnational organized crime"),
        ("cartel", "cartels", "organized crime", "organised crime", "mafia", "syndicate",
         "syndicates", "gang", "gangs"),
    ),
)
