"""Countries, states and provinces: places that are no identifier. Safe Harbor removes geography
smaller than a state (streets, towns, counties, ZIP codes); a state or a country may stay ("my daughter's in
Spain", "we moved from Ohio"). The place finders read them as any other place after "in" or
"from"; this list takes them back out, and only where the whole place is one of them ("Spain",
not "Spain Street"). Names that are also given names stay out of it ("Georgia", "Jordan"), as do
states named like their cities ("New York", "Washington")."""

from __future__ import annotations

import re

_REGIONS = """
afghanistan albania algeria argentina armenia australia austria bangladesh belarus belgium bolivia
bosnia brazil bulgaria cambodia cameroon canada chile china colombia congo croatia cuba cyprus
czechia denmark ecuador egypt england eritrea estonia ethiopia europe africa asia finland france
germany ghana greece guatemala haiti honduras hungary iceland india indonesia iran iraq ireland
israel italy jamaica japan kazakhstan kenya korea kosovo kuwait laos latvia lebanon libya
lithuania malawi malaysia mali malta mexico moldova mongolia morocco mozambique myanmar nepal
netherlands holland nicaragua niger nigeria norway pakistan palestine panama paraguay peru
philippines poland portugal romania russia rwanda scotland senegal serbia sierra leone singapore
slovakia slovenia somalia spain sudan sweden switzerland syria taiwan tanzania thailand tunisia
turkey uganda ukraine uruguay uzbekistan venezuela vietnam wales yemen zambia zimbabwe
america usa uk britain
alabama alaska arizona arkansas california colorado connecticut delaware florida hawaii idaho
illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan minnesota
mississippi missouri montana nebraska nevada ohio oklahoma oregon pennsylvania tennessee texas
utah vermont wisconsin wyoming
ontario quebec alberta manitoba saskatchewan newfoundland labrador yukon nunavut
queensland tasmania
andorra angola azerbaijan bahrain belize benin bhutan botswana brunei burundi djibouti eswatini
gabon gambia guinea guyana kiribati kyrgyzstan lesotho liberia liechtenstein luxembourg
madagascar maldives mauritania mauritius micronesia monaco montenegro namibia nauru oman palau
qatar suriname tajikistan togo turkmenistan tuvalu vanuatu
bavaria catalonia flanders wallonia friesland sardinia sicily corsica crete okinawa hokkaido honshu
kyushu shikoku shetland orkney meghalaya kerala punjab gujarat assam nagaland mizoram manipur
karnataka maharashtra bengal bihar odisha
"""
_TWO_WORDS = ("sierra leone", "south africa", "south korea", "north korea", "new zealand",
              "sri lanka", "saudi arabia", "united states", "united kingdom", "the states",
              "northern ireland", "costa rica", "puerto rico", "el salvador", "new hampshire",
              "new jersey", "new mexico", "north carolina", "south carolina", "north dakota",
              "south dakota", "rhode island", "west virginia", "the philippines", "the netherlands",
              "the uk", "the us", "the usa", "dominican republic", "british columbia", "nova scotia",
              "new brunswick", "prince edward island", "northwest territories", "new south wales",
              "south australia", "western australia", "northern territory",
              "papua new guinea", "new caledonia", "french polynesia", "east timor", "timor leste",
              "burkina faso", "cape verde", "ivory coast", "san marino", "united arab emirates",
              "the uae", "north macedonia", "trinidad and tobago", "the bahamas", "the gambia",
              "tamil nadu", "west bengal", "andhra pradesh", "uttar pradesh", "madhya pradesh",
              "the shetlands", "the shetland islands", "shetland islands", "the orkneys",
              "orkney islands", "the orkney islands", "the hebrides", "the outer hebrides",
              # territories with a state's or a country's standing: "from the faroe islands", "in guam"
              "faroe islands", "the faroe islands", "the faroes", "american samoa",
              "northern mariana islands", "virgin islands", "us virgin islands", "u s virgin islands",
              "cayman islands",
              "the cayman islands", "marshall islands", "the marshall islands", "solomon islands",
              "the solomon islands", "cook islands", "the cook islands", "falkland islands",
              "the falkland islands", "isle of man", "the isle of man")  # fmt: skip
_TERRITORIES = "guam greenland faroes bermuda fiji samoa tonga"
# the Pacific's small states, said as a country ("from Koror, Palau") or on its papers ("her Palau ID")
_PACIFIC = "palau nauru vanuatu kiribati tuvalu micronesia"
LARGE_REGIONS = (
    frozenset(_REGIONS.split())
    | frozenset(_TWO_WORDS)
    | frozenset(_TERRITORIES.split())
    | frozenset(_PACIFIC.split())
)
_SPACES = re.compile(r"[\s.]+")


# States and countries that are given names too ("Georgia", "Virginia", "Jordan"): out of
# LARGE_REGIONS, so that a name is never kept as a state, but a whole state all the same where a
# place finder read one ("she was born in Georgia", "driving up from Virginia").
NAMED_REGIONS = frozenset(("georgia", "virginia", "jordan", "chad"))


def is_named_region(place: str) -> bool:
    """Is this place, as said, a state or country that is also a given name ("Georgia")?"""
    return _SPACES.sub(" ", place.lower()).strip() in NAMED_REGIONS


def is_large_region(place: str) -> bool:
    """Is this place, as said, a whole country or state ("Spain", "the States", "new jersey")?"""
    return _SPACES.sub(" ", place.lower()).strip() in LARGE_REGIONS
