"""Word lists for synthetic scale data: names, places, organisations and the words of summaries
and notes. Fictional and varied enough that a name search finds a handful of cases, not half of
them. Email addresses use the reserved example.* domains, so nothing can ever reach a real inbox.
"""


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Aaliyah Abdul Abigail Adam Adrian Agnieszka Ahmed Aidan Aisha Alan Albert Alex Alice Alison "
    "Amanda Amara Amelia Amir Amy Andrew Angela Anita Ann Anna Anthony Arjun Arthur Asha Ava "
    "Barbara Barry Beatrice Ben Bernard Beth Bilal Billy Bogdan Brenda Brian Bronwen Callum Carl "
    "Carol Caroline Catherine Charlie Charlotte Chloe Chris Christine Claire Colin Connor Craig "
    "Daniel Darren David Dawn Dean Deborah Declan Denise Derek Diane Dominik Donna Dorothy Duncan "
    "Eddie Edith Edward Eileen Elaine Eleanor Elena Eliza Elizabeth Ella Ellie Emily Emma Eric "
    "Ethan Eve Farah Fatima Fiona Florence Frances Frank Freddie Gareth Gary Gemma George Georgia "
    "Gillian Gordon Grace Graham Gurpreet Hannah Harjit Harriet Harry Hassan Hayley Heather Helen "
    "Henry Hilary Holly Ian Imogen Irene Isaac Isabel Ivan Jack Jacob Jade Jake James Jamie Jan "
    "Jane Janet Jasmine Jason Jean Jennifer Jessica Joan Joanne John Jonathan Joseph Josh Joyce "
    "Julie Justyna Kamal Karen Kate Katie Keith Kelly Kevin Kieran Kirsty Kwame Laura Lauren Leah "
    "Lee Leon Lesley Liam Lily Linda Lisa Louise Lucy Luke Lynn Maciej Malcolm Mandy Margaret "
    "Maria Marion Mark Martin Mary Matthew Maureen Megan Mehmet Michael Michelle Mohammed Molly "
    "Nadia Natalie Neil Nicola Nigel Noah Olivia Oliver Oscar Owen Paul Pauline Peter Philip "
    "Poppy Priya Rachel Rajesh Ravi Rebecca Richard Rita Robert Rosa Rose Ruby Ruth Ryan Sally "
    "Samuel Sandra Sarah Scott Sean Sharon Shirley Simon Sophie Stacey Stephen Steven Stuart "
    "Susan Tanya Teresa Thomas Tina Tom Tomasz Tracey Tyler Valerie Vanessa Victoria Vikram "
    "Wayne Wendy William Yasmin Yusuf Zainab Zara Zofia"
)

LAST_NAMES = _words(
    "Abbott Adams Adeyemi Ahmed Akhtar Allen Anderson Andrews Armstrong Atkinson Bailey Baker "
    "Ball Banks Barker Barnes Bartlett Baxter Bell Bennett Berry Bird Bishop Black Blake Bond "
    "Booth Bowen Boyle Bradley Brooks Brown Bryant Burgess Burton Butler Campbell Carr Carter "
    "Chambers Chapman Chaudhry Clark Clarke Cole Collins Cook Cooper Cox Crawford Cross Dale "
    "Davies Dawson Day Dean Dixon Doherty Dunn Edwards Elliott Ellis Evans Farrell Fisher "
    "Fletcher Ford Foster Fowler Fox Francis Fraser Gardner Gibson Gill Gordon Graham Grant "
    "Gray Green Griffiths Hall Hamilton Harper Harris Hart Harvey Hawkins Hayes Henderson Hill "
    "Holmes Hope Howard Hudson Hughes Hunt Hussain Iqbal Jackson James Jenkins Johnson Johnston "
    "Jones Kaur Kelly Kennedy Khan King Knight Kowalski Lamb Lane Lawrence Lawson Lee Lewis "
    "Lloyd Lomax Lowe Macdonald Marsh Marshall Martin Mason Matthews May McCarthy Mills Mitchell "
    "Moore Morgan Morris Murphy Murray Nowak Okafor O'Brien Oduya Owen Palmer Parker Patel "
    "Payne Pearce Pearson Perry Phillips Poole Porter Powell Price Quinn Rahman Reed Reid "
    "Reynolds Rice Richards Richardson Riley Roberts Robinson Rogers Rose Russell Ryan Sandhu "
    "Saunders Scott Shah Sharp Shaw Simpson Singh Smith Spencer Stevens Stewart Stone Sullivan "
    "Sutton Taylor Thomas Thompson Todd Turner Walker Walsh Ward Watson Webb Wells West "
    "Wheeler White Whitfield Wilkinson Williams Wilson Wood Woods Wright Young Zielinski"
)

# (postcode district, town, area code for landlines, weight)
DISTRICTS = (
    ("TN9", "Tonbridge", "1732", 10),
    ("TN10", "Tonbridge", "1732", 8),
    ("TN11", "Tonbridge", "1732", 4),
    ("TN12", "Paddock Wood", "1892", 4),
    ("TN13", "Sevenoaks", "1732", 6),
    ("TN14", "Sevenoaks", "1732", 3),
    ("TN15", "Sevenoaks", "1732", 4),
    ("TN1", "Tunbridge Wells", "1892", 5),
    ("TN2", "Tunbridge Wells", "1892", 6),
    ("TN3", "Langton Green", "1892", 2),
    ("TN4", "Southborough", "1892", 6),
    ("TN8", "Edenbridge", "1342", 3),
    ("TN16", "Westerham", "1959", 2),
    ("TN17", "Cranbrook", "1580", 2),
    ("TN18", "Hawkhurst", "1580", 1),
    ("ME14", "Maidstone", "1622", 8),
    ("ME15", "Maidstone", "1622", 9),
    ("ME16", "Maidstone", "1622", 6),
    ("ME17", "Maidstone", "1622", 3),
    ("ME19", "West Malling", "1732", 3),
    ("ME20", "Aylesford", "1622", 4),
    ("ME6", "Snodland", "1634", 3),
)

# Letters the inward code of a UK postcode may use.
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

STREET_ROOTS = _words(
    "Abbey Acorn Albert Alexandra Ash Avebury Barden Beech Birch Bourne Bradbourne Brook "
    "Buckland Camden Castle Cedar Chestnut Church Clarence College Commercial Cornwallis Cromer "
    "Dene Dower Elm Farm Forge Garden Gladstone Goldsmid Grange Grove Hadlow Hartlake Hawthorn "
    "High Hill Holly Hollybush Hunt Ivy Kings Lambs Larch Lavender Lime London Lyons Manor "
    "Maple Market Meadow Mill Nelson Oak Orchard Park Pembury Pine Poplar Priory Quarry Queens "
    "Rectory Redleaf Riverside Rose Rowan Royal Sandy School Shipbourne "
    "Silverdale Springfield Station Sussex Tannery Tudor Upper Vale Vicarage Victoria Warders "
    "Waterloo Weald Well Willow Windmill Woodside Yardley"
)
STREET_SUFFIXES = _words(
    "Road Street Lane Close Avenue Way Drive Gardens Crescent Court Place Rise Walk Mews"
)

HOUSING_PROVIDERS = (
    "Clarion Housing",
    "Town and Country Housing",
    "Moat Homes",
    "Golding Homes",
    "Orbit Group",
    "Southern Housing",
    "Hyde Housing",
)
COUNCILS = (
    "Tonbridge and Malling Borough Council",
    "Sevenoaks District Council",
    "Tunbridge Wells Borough Council",
    "Maidstone Borough Council",
)
SCHOOLS = (
    "Hayesbrook School",
    "Hillview School for Girls",
    "The Judd School",
    "Hugh Christie School",
    "Knole Academy",
    "Skinners' Kent Academy",
    "Maplesden Noakes School",
    "Oakwood Park Grammar School",
)
HEALTH = (
    "Kent Community Health NHS Foundation Trust",
    "Pembury Road Surgery",
    "Warders Medical Centre",
    "Kent and Medway Mental Health Partnership",
)
OTHER_AGENCIES = (
    "Citizens Advice in North and West Kent",
    "Age UK Tunbridge Wells",
    "Kent County Council Early Help",
    "Victim Support",
    "Porchlight",
    "Kent Fire and Rescue Service",
)

LANGUAGES = (
    "Polish",
    "Romanian",
    "Punjabi",
    "Urdu",
    "Nepali",
    "Turkish",
    "Lithuanian",
    "Bulgarian",
    "Arabic",
    "Portuguese",
    "Bengali",
    "Tamil",
)

ACCESSIBILITY = (
    "Uses a wheelchair; ground-floor rooms only.",
    "Hard of hearing: face them when speaking, no phone calls.",
    "Visual impairment: large-print letters.",
    "Anxiety: short meetings with breaks.",
    "Dyslexia: explain letters by phone as well.",
    "Learning disability: a support worker attends.",
)

PREFERRED_TIMES = (
    "",
    "",
    "weekdays after 6pm",
    "mornings only",
    "not before 10am",
    "weekday afternoons",
    "Saturdays",
    "lunchtimes",
    "after the school run",
)

RESTRICTIONS = (
    "Do not leave voicemail.",
    "Do not write to the home address; use email.",
    "Works nights: no calls before 2pm.",
    "Shared phone: ask for them by name only.",
    "Partner must not know about the referral.",
)

# Per dispute type: what it is about, and how things stand when referred.
ISSUES = {
    "neighbour": (
        "noise through a shared wall late at night",
        "a dog barking for hours while the owners are at work",
        "a boundary fence that one side says was moved",
        "overhanging trees blocking light to a garden",
        "parking across a shared drive",
        "bins left out on the pavement and rubbish in a shared alley",
        "music and parties at weekends",
        "smoke from a garden fire drifting into the house next door",
        "a leak from the flat above that nobody will pay to fix",
        "children's ball games damaging a car",
        "CCTV cameras pointing into a neighbour's garden",
        "building work at unsocial hours",
    ),
    "family": (
        "arrangements for a grandparent's care",
        "contact between grandparents and grandchildren",
        "sharing the costs of a family home after a separation",
        "a falling-out between adult siblings over a parent's estate",
        "who looks after an elderly parent at weekends",
    ),
    "parent_teen": (
        "arguments at home about curfew and school attendance",
        "a teenager staying out overnight without saying where",
        "rows about screen time and school work",
        "a young person refusing to return home after a row",
        "tension with a step-parent since a new baby arrived",
    ),
    "restorative": (
        "criminal damage to a neighbour's car, which the young person has admitted",
        "a theft from a local shop by a group of teenagers",
        "graffiti on a community centre",
        "an assault after a football match, with both families wanting to meet",
    ),
    "community": (
        "young people gathering by the shops, with residents and the youth club at odds",
        "use of a shared community garden",
        "noise from a pub garden",
        "a dispute within a residents' association committee",
        "litter and parking around a place of worship on busy days",
    ),
    "workplace": (
        "two volunteers at a charity shop who no longer speak",
        "a disagreement about shift patterns in a small family business",
        "a complaint about comments made in the staff room",
    ),
    "other": (
        "a disagreement between a landlord and a lodger",
        "a falling-out between allotment holders",
        "a row at a sports club about team selection",
        "a dispute over a shared driveway repair bill",
    ),
}
HISTORY = (
    "It has been going on for about {months} months.",
    "Both households have complained to the landlord.",
    "The police have been called {times} times but no offence was recorded.",
    "The first party is anxious and has stopped using the garden.",
    "The other party says they did not know there was a problem.",
    "Letters have been exchanged and things have got worse.",
    "The council's ASB team has issued a warning letter.",
    "Both sides say they want it sorted out without going to court.",
    "There have been raised voices in the street and neighbours are taking sides.",
    "The first party has tried to talk to them and was told to go away.",
)

LOG_TEXTS = {
    "call": (
        "Called to explain how mediation works; happy to take part.",
        "Called; no answer. Left a message asking them to ring back.",
        "Spoke about what they hope to get from mediation.",
        "Called to arrange a home visit; agreed a date.",
        "Returned their call: they asked about confidentiality.",
        "Called the referrer for background; they will send details.",
    ),
    "letter": (
        "Sent the introduction letter and leaflet.",
        "Sent a letter confirming the joint meeting.",
        "Sent the closing letter.",
        "Second letter sent as there was no reply.",
    ),
    "email": (
        "Emailed the information sheet and consent form.",
        "Email from the referrer with an update.",
        "Emailed to confirm the meeting time and place.",
        "Reply received: they would prefer to meet at the office.",
    ),
    "visit": (
        "Home visit: listened to their account; they are willing to meet.",
        "Visit made but nobody was at home; card left.",
    ),
    "meeting": (
        "Joint meeting held; both agreed to keep talking.",
        "Separate meeting: explored options for a way forward.",
    ),
    "note": (
        "Case discussed at the weekly allocation meeting.",
        "Risk assessment reviewed; no change.",
        "Referrer updated on progress, with consent.",
        "Said they feel intimidated when passing the house.",
        "Would accept a quieter time after 11pm if the other side agrees.",
        "Follow-up call due in three months.",
    ),
}

RISK_NOTES = (
    "Previous threats reported to the police; meet at the office, never at home.",
    "Young person is 15; school safeguarding lead informed.",
    "Large dog at the property; ask for it to be shut away.",
    "Alcohol use reported in the evenings: morning visits only.",
    "Vulnerable adult: their support worker is aware of the referral.",
)

VENUES = (
    "Angel Centre, Angel Lane, Tonbridge TN9 1SF",
    "Sevenoaks Community Centre, Otford Road, Sevenoaks",
    "St John's Church Hall, Tunbridge Wells",
    "Maidstone Library meeting room",
    "Southborough Hub, Southborough",
    "Edenbridge Eden Centre",
)
OFFICE = "Mediation office, 12 Bank Street, Tonbridge"
VIDEO = "Video call: the link is sent by email the day before"

EMAIL_DOMAINS = ("example.org", "example.com", "example.net", "mail.example.org")

FOLLOW_UP_TEXTS = (
    "Follow-up call: things are much better and the agreement is holding.",
    "Follow-up call: some noise again at weekends, but they are talking to each other.",
    "Follow-up call: no further problems; they thanked the mediators.",
    "Follow-up letter sent; no reply needed unless things get worse.",
    "Follow-up call: they have moved on and did not want to talk about it.",
)

AGREEMENT_INTRODUCTIONS = (
    "We want to be good neighbours again and to talk to each other before things get out of hand.",
    "We both want the arguments to stop and to feel comfortable in our own homes.",
    "We want to make family life calmer and to agree how we will sort out disagreements.",
    "We want to be able to say hello in the street again.",
)
AGREEMENT_TERMS = (
    (
        "Both households",
        "Say hello and talk to each other first if something is bothering them.",
        "from now on",
    ),
    (
        "The first household",
        "Keep music and television at a level that cannot be heard next door after 10pm.",
        "from this weekend",
    ),
    (
        "The second household",
        "Bring the bins in by the evening after collection.",
        "every collection day",
    ),
    (
        "Both households",
        "Share the cost of repairing the fence equally.",
        "by the end of the month",
    ),
    ("The first household", "Trim the hedge so that it is no higher than two metres.", "by spring"),
    ("The second household", "Keep the dog indoors after 9pm.", "from tonight"),
    ("Both households", "Park only in front of their own houses.", "from now on"),
    ("The young person", "Be home by 9pm on school nights and text if running late.", "every day"),
    ("The parent", "Give two days' notice of any family plans at weekends.", "from now on"),
    ("Both parties", "Meet again with the mediators if things go wrong.", "if needed"),
)
