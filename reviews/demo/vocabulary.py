"""The words demo articles are written with: places, speakers, claims, context sentences, publishers."""

# Place names carry non-ASCII letters on purpose: offsets count characters, not bytes.
PLACES = [
    "Kharkiv", "Izium", "Kupiansk", "Balakliia", "Zaporizhzhia", "Dnipro", "Kyiv", "Lviv", "Odesa",
    "Mykolaiv", "Kherson", "Donetsk", "Bakhmut", "Sumy", "Chernihiv", "Poltava", "Kraków", "Łódź",
    "Gdańsk", "Brno", "Ústí nad Labem", "Zürich", "Malmö", "Besançon", "Kraljevo", "Tiraspol",
    "Chișinău", "Iași", "Győr", "Tallinn", "Tartu", "Vilnius", "Rīga", "Reykjavík", "São Paulo",
    "Bogotá", "Córdoba", "Montréal", "the capital", "the border region", "the eastern provinces",
]  # fmt: skip
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
PERIODS = [
    "two days", "three days", "a week", "ten days", "a fortnight", "a month", "six weeks",
    "three months", "the first quarter", "the past year", "48 hours", "the weekend",
]  # fmt: skip
YEARS = [str(year) for year in range(1991, 2025)]

# (subject as written in a sentence, claimant as stored)
SPEAKERS = {
    "military": [
        ("the Ministry of Defence", "Ministry of Defence"),
        ("the General Staff", "General Staff"),
        ("President Volodymyr Zelenskyy", "Volodymyr Zelenskyy"),
        ("the Kremlin", "Kremlin"),
        ("a military spokesman", "Military spokesman"),
        ("the regional governor", "Regional governor"),
        ("the Institute for the Study of War", "Institute for the Study of War"),
    ],
    "economy": [
        ("the central bank", "Central bank"),
        ("the finance minister", "Finance minister"),
        ("the national statistics office", "National statistics office"),
        ("the prime minister", "Prime minister"),
        ("the opposition leader", "Opposition leader"),
        ("the chamber of commerce", "Chamber of commerce"),
    ],
    "energy": [
        ("the energy ministry", "Energy ministry"),
        ("the grid operator", "Grid operator"),
        ("the state gas company", "State gas company"),
        ("the deputy prime minister", "Deputy prime minister"),
    ],
    "health": [
        ("the health ministry", "Health ministry"),
        ("the World Health Organization", "World Health Organization"),
        ("a hospital director", "Hospital director"),
        ("the chief medical officer", "Chief medical officer"),
    ],
    "migration": [
        ("the UN refugee agency", "UNHCR"),
        ("the border guard service", "Border guard service"),
        ("the interior minister", "Interior minister"),
        ("a viral social media post", "Social media post"),
    ],
    "infrastructure": [
        ("the infrastructure ministry", "Infrastructure ministry"),
        ("the state railway company", "State railway company"),
        ("the mayor", "Mayor"),
        ("local officials", "Local officials"),
    ],
    "politics": [
        ("the electoral commission", "Electoral commission"),
        ("the president's office", "President's office"),
        ("an opposition lawmaker", "Opposition lawmaker"),
        ("the governing party", "Governing party"),
        ("a widely shared video", "Social media video"),
    ],
    "climate": [
        ("the weather service", "Weather service"),
        ("the environment minister", "Environment minister"),
        ("a climate research institute", "Climate research institute"),
    ],
}

# (topic, tags, clause); slots: {place} {n} {pct} {period} {month} {year} {money} {weekday}
CLAIM_CLAUSES = [
    ("military", ["military", "casualties"], "{n} soldiers were killed near {place} in {period}"),
    ("military", ["military"], "troops liberated more than {small} towns and villages in {period}"),
    ("military", ["military", "equipment"], "{n} armoured vehicles and artillery pieces were destroyed near {place}"),
    ("military", ["military"], "forces around {place} were “regrouped” to reinforce the front in the east"),
    ("military", ["military", "casualties"], "{n} civilians have been killed in {place} since {month}"),
    ("military", ["military", "drones"], "air defences shot down {small} of {small2} drones launched overnight"),
    ("military", ["military"], "the front line had moved {small} kilometres east of {place} in {period}"),
    ("economy", ["economy", "inflation"], "inflation fell to {pct} in {month}, the lowest level since {year}"),
    ("economy", ["economy"], "the economy grew by {pct} in the first quarter"),
    ("economy", ["economy", "jobs"], "unemployment rose to {pct}, the highest level since {year}"),
    ("economy", ["economy", "food-prices"], "the price of bread has risen by {pct} since {month}"),
    ("economy", ["economy", "budget"], "the government spent {money} on pensions in {year}"),
    ("economy", ["economy", "wages"], "average wages in {place} are {pct} higher than a year ago"),
    ("economy", ["economy", "trade"], "grain exports through {place} reached {n} tonnes in {month}"),
    ("energy", ["energy"], "{n} megawatts of generating capacity were restored in {place} in {period}"),
    ("energy", ["energy", "gas"], "gas storage facilities are {pct} full ahead of the winter"),
    ("energy", ["energy"], "power was cut to {n} households in {place} after the strike on {weekday}"),
    ("energy", ["energy", "prices"], "household electricity bills have doubled since {year}"),
    ("health", ["health"], "{n} people were treated for injuries in hospitals in {place}"),
    ("health", ["health", "vaccines"], "vaccination rates among adults reached {pct} in {month}"),
    ("health", ["health"], "waiting times for surgery in {place} have fallen by {pct}"),
    ("health", ["health"], "{small} hospitals in the region were damaged in {period}"),
    ("migration", ["migration", "refugees"], "{n} refugees crossed the border at {place} in {period}"),
    ("migration", ["migration"], "{pct} of those who fled have returned to {place}"),
    ("migration", ["migration", "refugees"], "the number of asylum applications doubled in {year}"),
    ("infrastructure", ["infrastructure", "transport"], "the railway bridge at {place} was destroyed on {weekday}"),
    ("infrastructure", ["infrastructure"], "{n} kilometres of road were repaired in {year}"),
    ("infrastructure", ["infrastructure", "transport"], "trains between {place} and {place2} run again"),
    ("infrastructure", ["infrastructure", "housing"], "{n} homes in {place} were left without heating"),
    ("politics", ["politics", "elections"], "turnout in {place} was {pct}, up from {pct2} at the last election"),
    ("politics", ["politics"], "the new law was passed with {small} votes in favour"),
    ("politics", ["politics", "corruption"], "{money} in aid was diverted by officials in {place}"),
    ("politics", ["politics", "elections"], "{n} ballots were declared invalid in {place}"),
    ("climate", ["climate"], "temperatures in {place} reached {small} degrees, a record for {month}"),
    ("climate", ["climate", "floods"], "the floods in {place} were the worst since {year}"),
    ("climate", ["climate"], "emissions fell by {pct} in {year}"),
]
ATTRIBUTIONS = [
    # (sentence pattern, whether the quote is the capitalised clause); {S} subject, {C} clause
    ("{S} said on {weekday} that {C}.", False),
    ("According to {s}, {C}.", False),
    ("“{C},” {s} said in a statement.", True),
    ("{S} claimed that {C}, a figure that could not be independently verified.", False),
    ("In a post on social media, {s} wrote that {C}.", False),
    ("{C}, {s} told reporters on {weekday}.", True),
    ("{S} insisted that {C}.", False),
]
FILLER = [
    "The statement did not give further details.",
    "Independent verification of the figures was not immediately possible.",
    "Journalists were not allowed to visit the area.",
    "The claim was repeated by several accounts with large followings on {weekday}.",
    "The situation remains tense, according to people who spoke on condition of anonymity.",
    "Satellite images taken on {weekday} show damage to several buildings in {place}.",
    "The figures could not be reconciled with those published by the statistics office in {month}.",
    "A spokesperson said a fuller account would be published within {period}.",
    "The issue has become a central theme of the campaign.",
    "Similar claims circulated widely in {month} {year}.",
    "The ministry's website was briefly unavailable on {weekday}.",
    "Diplomats described the talks as “frank but constructive.”",
    "Some of the footage shared online was later found to date from {year}.",
    "{Place} has been under a night-time curfew since {month}.",
    "Schools in {place} moved to remote teaching for {period}.",
    "Prices for basic goods in {place} have been volatile for months.",
]
FILLER_SUBJECTS = [
    "Residents of {place}", "Officials in {place}", "Aid workers", "Local journalists", "Analysts",
    "Diplomats", "Farmers in the region", "Teachers in {place}", "Volunteers", "Shop owners in {place}",
    "Opposition figures", "Economists", "Doctors at the main hospital", "Railway workers", "Several witnesses",
    "Human rights groups", "Two senior lawmakers", "Independent observers",
]  # fmt: skip
FILLER_PREDICATES = [
    "described long queues at the few shops that remained open",
    "said the situation had barely changed since {month}",
    "declined to comment on the figures",
    "cautioned that early estimates are often revised",
    "called for a parliamentary inquiry into the numbers",
    "said they had heard explosions late on {weekday}",
    "pointed out that the same figure had been published in {year}",
    "questioned how the numbers had been collected",
    "said access to {place} remained difficult",
    "have repeatedly called for safe access to the area",
    "said prices had risen sharply over {period}",
    "expect more detailed data within {period}",
    "noted that the official methodology changed in {year}",
    "said the harvest came in late this year",
    "reported power cuts lasting several hours",
    "described the mood as anxious but calm",
    "said the numbers were being used for political ends",
    "asked the government to publish the underlying data",
]  # fmt: skip
PUBLISHERS = [
    ("Northern Herald", "northern-herald.example"),
    ("Kyiv Ledger", "kyiv-ledger.example"),
    ("Baltic Courier", "baltic-courier.example"),
    ("The Danube Post", "danube-post.example"),
    ("Eastern Wire", "eastern-wire.example"),
    ("Metro Daily", "metro-daily.example"),
    ("Radio Free Plains", "radio-free-plains.example"),
    ("The Civic Observer", "civic-observer.example"),
]
FIRST_NAMES = ["Olena", "Andriy", "Maria", "Piotr", "Sofia", "Tomás", "Ingrid", "Jonas", "Aylin", "Dmytro", "Chloé"]
LAST_NAMES = ["Kovalenko", "Nowak", "Svensson", "Horváth", "Moreau", "Petrenko", "Jansen", "Ionescu", "Müller"]

PLACE_TAGS = {
    place: place.lower()
    for place in [
        "Kharkiv",
        "Izium",
        "Kupiansk",
        "Zaporizhzhia",
        "Dnipro",
        "Kyiv",
        "Lviv",
        "Odesa",
        "Kherson",
        "Bakhmut",
    ]
}
TAG_NAMES = sorted({tag for _, tags, _ in CLAIM_CLAUSES for tag in tags} | set(PLACE_TAGS.values()))
