"""Postcode districts: what the area reports group by (the outward code of a postcode, "ME14"
of "ME14 1XX": parties.areas.district_of), and the district → local authority table they look
up (reports.models.PostcodeDistrict).

Why the district and not the postcode: a full postcode is a dozen houses, so a count by
postcode could point at a household; a district is thousands of them. Why the first party's:
it is where the referral came from (the person who asked for help, or the one named first by
the referrer), and a case has one area, so that cases add up (a case with parties in two
districts is not counted twice).
"""

from __future__ import annotations

NOT_IN_TABLE = "Not in the table"
NO_POSTCODE = "No postcode recorded"

# Local authorities of Kent and Medway, as the reports name them.
ASHFORD = "Ashford"
CANTERBURY = "Canterbury"
DARTFORD = "Dartford"
DOVER = "Dover"
FOLKESTONE = "Folkestone & Hythe"
GRAVESHAM = "Gravesham"
MAIDSTONE = "Maidstone"
SEVENOAKS = "Sevenoaks"
SWALE = "Swale"
THANET = "Thanet"
TONBRIDGE = "Tonbridge & Malling"
TUNBRIDGE_WELLS = "Tunbridge Wells"
MEDWAY = "Medway"

# Every postcode district of the CT, ME, TN, DA and BR areas that lies (wholly or mostly) in
# Kent or Medway, with its main local authority. Districts that are mostly outside — TN5–TN7,
# TN19–TN22 and TN31–TN40 (East Sussex), DA5–DA8 and DA14–DA18 (Bexley, Greenwich), BR1–BR7
# (Bromley) — are left out and show as "Not in the table" unless an administrator adds them.
# STRADDLING: districts that cross a boundary, given to the authority with most of them.
KENT_AND_MEDWAY = {
    # Canterbury area
    "CT1": CANTERBURY,
    "CT2": CANTERBURY,
    "CT3": DOVER,  # Aylesham, Ash, Wingham (Dover); Littlebourne, Hersden (Canterbury)
    "CT4": CANTERBURY,  # Chartham, Bridge; Elham and the Elham valley are Folkestone & Hythe
    "CT5": CANTERBURY,
    "CT6": CANTERBURY,
    "CT7": THANET,
    "CT8": THANET,
    "CT9": THANET,
    "CT10": THANET,
    "CT11": THANET,
    "CT12": THANET,
    "CT13": DOVER,
    "CT14": DOVER,
    "CT15": DOVER,
    "CT16": DOVER,
    "CT17": DOVER,
    "CT18": FOLKESTONE,
    "CT19": FOLKESTONE,
    "CT20": FOLKESTONE,
    "CT21": FOLKESTONE,
    "CT50": FOLKESTONE,
    # Rochester (Medway) area
    "ME1": MEDWAY,  # Wouldham and Burham are Tonbridge & Malling
    "ME2": MEDWAY,
    "ME3": MEDWAY,
    "ME4": MEDWAY,
    "ME5": MEDWAY,  # a corner of Boxley is Maidstone
    "ME6": TONBRIDGE,
    "ME7": MEDWAY,
    "ME8": MEDWAY,
    "ME9": SWALE,  # a few villages are Maidstone
    "ME10": SWALE,
    "ME11": SWALE,
    "ME12": SWALE,
    "ME13": SWALE,
    "ME14": MAIDSTONE,
    "ME15": MAIDSTONE,
    "ME16": MAIDSTONE,
    "ME17": MAIDSTONE,
    "ME18": TONBRIDGE,  # Yalding and Laddingford are Maidstone
    "ME19": TONBRIDGE,
    "ME20": TONBRIDGE,
    "ME99": MAIDSTONE,
    # Tonbridge area
    "TN1": TUNBRIDGE_WELLS,
    "TN2": TUNBRIDGE_WELLS,
    "TN3": TUNBRIDGE_WELLS,  # part of Groombridge is East Sussex
    "TN4": TUNBRIDGE_WELLS,
    "TN8": SEVENOAKS,
    "TN9": TONBRIDGE,
    "TN10": TONBRIDGE,
    "TN11": TONBRIDGE,  # Leigh and Penshurst are Sevenoaks
    "TN12": TUNBRIDGE_WELLS,  # Staplehurst and Marden are Maidstone, East Peckham T&M
    "TN13": SEVENOAKS,
    "TN14": SEVENOAKS,
    "TN15": SEVENOAKS,  # Borough Green and Wrotham are Tonbridge & Malling
    "TN16": SEVENOAKS,  # Biggin Hill is Bromley, Tatsfield Tandridge (Surrey)
    "TN17": TUNBRIDGE_WELLS,
    "TN18": TUNBRIDGE_WELLS,
    "TN23": ASHFORD,
    "TN24": ASHFORD,
    "TN25": ASHFORD,
    "TN26": ASHFORD,
    "TN27": ASHFORD,  # Headcorn is Maidstone
    "TN28": FOLKESTONE,
    "TN29": FOLKESTONE,
    "TN30": ASHFORD,
    # Dartford area
    "DA1": DARTFORD,
    "DA2": DARTFORD,
    "DA3": SEVENOAKS,  # Hartley, New Ash Green (Sevenoaks); Longfield (Dartford)
    "DA4": SEVENOAKS,  # Sutton-at-Hone is Dartford
    "DA9": DARTFORD,
    "DA10": DARTFORD,
    "DA11": GRAVESHAM,
    "DA12": GRAVESHAM,
    "DA13": GRAVESHAM,  # Southfleet is Dartford, Vigo Tonbridge & Malling
    # Bromley area: only Swanley is in Kent
    "BR8": SEVENOAKS,
}

STRADDLING = (
    "CT3", "CT4", "ME1", "ME5", "ME9", "ME18", "TN3", "TN11", "TN12", "TN15", "TN16", "TN27",
    "DA3", "DA4", "DA13",
)  # fmt: skip
