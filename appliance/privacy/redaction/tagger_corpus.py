"""The generated development corpus the name-and-place tagger is trained on (tagger_train.py).

Written for variety rather than for any test set: given names and surnames of many origins (with
diacritics, hyphens, particles and several parts), names invented from syllables so that the
tagger learns what a name looks like rather than a list of names, everyday words used as names
("will fisher", "holly frost") with and without a cue, streets, towns and care homes in lower case,
and as many sentences with no PHI that use the same words and frames ("i will ring back", "the
frost got the roses", "she's at the shops"). Most sentences are printed as a recognizer prints
them (lower case, fillers, no punctuation), some with capitals and commas. Every person and place
is invented; no sentence comes from the held-out sets. `generate(n, seed)` is deterministic.
"""

from __future__ import annotations

import random

Example = tuple[str, list[tuple[int, int, str]]]


def _words(block: str) -> tuple[str, ...]:
    return tuple(block.split())


GIVEN = _words("""
aaliyah abdul abebe ada adaeze adebayo adrián agnieszka ahmed aiko ailsa aisling akira alasdair
aleksandra alfie alicja alejandro amara amit anahí anastasia andrés aneurin angharad anika anselm
antoine aoife arjun arnav astrid ayesha babajide barnaby bartosz beatriz bernadette bethan bilal
björn blessing bogdan brannagh bronwen caoimhe carys cedric chiamaka chidi chinonso ciarán cosmin
cristina dagmar dariusz deepak dervla dilnoza dmitri dorota dunya dylan eamon efua eilidh ekaterina
elif eluned émile emeka enrique ešter eunji eugenia evangelos fatima fenella femi fiachra filipa
finnian florin françois gabriela gaurav genoveva gethin ghislaine gráinne grzegorz guillermo gulnara
gwendolyn hafsa hamish hannelore haruto hedda hélène hemi henrike hiroshi hyun ibrahim ifeoma ignacy
ikaika ilse imogen inés ingrid ioana iolo iqbal irmgard isadora ishaan iveta jadwiga jakub jamila
jarrah javier jesús jiho joaquín jolanta józef juhani kamala kasia katarzyna kemal kenji kerensa
khadija kiri kofi krystyna kwame laila lakshmi leocadia leontyne lorcan łukasz lupita magdalena
mahmoud mairéad malgorzata manon marguerite marisol matías mehmet meinir mihail milagros mireille
miyu mohammed morwenna mustafa nadia naoise natalia ngozi niamh nikolai nilufar njeri noemí norbert
nuala oghenekaro oisín olamide olufemi oluwaseun omar ondřej orla oscar otieno padraig paloma
parveen pawel pedro pilar piotr priya przemysław quentin radhika rafael rahul ramón rangi raquel
rashida reza rhiannon rohan roisin ruaridh sadia saoirse sebastián seren shanice shreya sibusiso
siddharth siobhán sipho sokratis solveig somchai stanisław sunita svetlana szymon tadhg tamsin
tatiana teodor thandeka theodora thiago tiernan tomasz tunde ulrike umar valentina vasile veronika
vikram violeta vojtěch wiktoria wojciech xiomara yaw yetunde yiannis yusra zainab zbigniew zeynep
zofia zoë zuzana
alan alice andrew ann anne arthur barbara betty brian carol catherine charles christine colin david
deborah dennis diane donald dorothy edward eileen elaine elizabeth eric frances gary george gillian
gordon graham helen ian irene jacqueline james janet jean jennifer joan john joyce julie keith
kenneth kevin linda lorraine margaret martin maureen michael nigel norman pamela patricia paul
peter philip raymond richard robert roger ronald sandra sharon stephen steven susan terence thomas
trevor valerie wendy william albert alfred bernard cyril derek doris edith elsie ethel florence
gladys harold herbert hilda lilian mabel marjorie mavis mildred muriel norah percy phyllis
reginald sidney stanley sylvia vera walter wilfred winifred oliver harry noah leo muhammad charlie
jacob henry freddie theo archie joshua olivia amelia isla ava mia isabella sophia freya evie ella
sienna millie harper gwen rhodri siân dafydd iestyn cerys mared osian ffion aled
minh huong tuan thanh duc hoa quang phuong linh wei xiaoling jun yong jing zhiwei seo-yeon min-jun
ji-woo hae-won kanya niran ploy maricel rodelio jhun tane manaia sione losana mere hine abdirahman
hodan ayaan tesfaye selam mekdes parisa dariush shirin behrouz yael avraham noa eitan emre gülşen
oğuz çağla youssef layla tariq thabo lindiwe chukwuemeka nnamdi adwoa kojo wanjiru kamau ximena
rodrigo guadalupe anh bảo khánh ngozi ebere temitope oluwadamilare kalani keoni leilani mahina
""")

EVERYDAY_GIVEN = _words("""
will bill pat rose holly ivy poppy daisy grace hope faith joy dawn ruby pearl amber summer autumn
april june robin jack frank mark sandy cliff dale glen rich chase hunter wade miles earl duke
heather violet lily jasmine hazel olive iris fern willow sky river rowan ash max penny kitty
sunny rusty misty crystal ginger honey melody harmony destiny patience prudence mercy charity
bob sue kay ray guy gene joy nick ken don ron ted tom sam jim tim rob phil carol eve faye kim lee
jo val win roy rex reg art sid stan al ben dan matt josh drew lance neil victor grant gill may
viola myrtle primrose clover bliss sterling merry dusty storm sage mo bud chip sonny buck brandy
candy blossom honor constance verity felicity jade ebony coral opal beryl marigold saffron
scarlett raven wren lark dove star angel liberty trinity nova luna rocky reed brooke shelby paige
""")

SURNAMES = _words("""
abara achterberg adeyemi agarwal akhtar alvarez andersson appiah arkwright asante ashdown
bajwa balogun banerjee bartoszewicz beauchamp bellweather bhattacharya białek blackwood bogdanović
bonnington brzezinski castellano chakraborty chaudhry chowdhury ciobanu cornwallis crăciun
czerwińska dąbrowski dasgupta delacroix dimitriou domínguez donnelly drummond dubois dunleavy
eberhardt ekwueme eriksson etxeberria fairbrother fernández figueiredo fitzgerald fonseca gallagher
garcía gheorghiu gonçalves grabowski gudmundsdóttir gutiérrez haddad halvorsen harcourt hashemi
hernández hoffmann holmqvist horvath huang ibáñez iqbal ivanova jablonski jankowska jaramillo
jiménez kaczmarek kamara kapoor karlsson kavanagh kelleher kiplagat kowalczyk krishnan kuznetsova
lachance laurent lindqvist lópez lundgren macaulay mackenzie maddox mahlangu makarenko mandić
marchetti martínez mbeki mcallister mcgillycuddy menéndez mikkelsen moreau mukherjee muñoz nakamura
nascimento nieminen novotný nwosu obi ochoa odhiambo okonkwo olawale olsen oyelaran pacheco
pakulski papadopoulos pellegrino petrović pham pietrzak quigley radcliffe rajapakse ramírez
rasmussen rautenbach reyes rodríguez rossetti rousseau sadowski saito salazar santos schäfer
schmidt sepúlveda shevchenko sigurðsson silva słowacki sokolov srinivasan stavros suárez svensson
takahashi tanaka tremaine trevelyan twardowski uchenna ugwu valdés vasquez velásquez virtanen
volkov wachowski wainwright weatherall whitlock wiśniewski witherspoon wojcik xu yamamoto
yilmaz zamora zieliński zhang żukowski
anderson clarke davies edwards evans harris hughes jackson james johnson jones lewis martin
morgan morris patel roberts robinson taylor thomas thompson walsh williams wilson wright
tran vo dang hoang bui liang chen wang park choi jeong srisuk santiago bautista tuilagi fifita
tupou parata hohaia warsame abdi haile gebremedhin mohammadi rostami karimi cohen levi friedman
öztürk çelik şahin mansour khoury nasser ndlovu mokoena kariuki mwangi eze nnaji boateng
acheampong castillo villanueva herrera saavedra nguyên trương đặng lê huỳnh
""")

EVERYDAY_SURNAMES = _words("""
fisher baker smith miller cook mason carter cooper turner walker hill wood stone brook field bird
fox wolf lamb rice bush moss frost snow green white black brown gray young long short sharp bell
ball hall hope church chapel castle banks waters rivers lake marsh french english welsh small
little price nash day knight bishop parsons dean may march winter summers swift wise hardy strong
power best goodman newman fairweather shepherd weaver potter fletcher archer thatcher slater
glover hunter butcher spencer steward farmer gardener forest heath meadows pond bridges street
lane rose bloom berry cherry plum peach fields woods hedge wells sands dunn cross page rain storm
""")

PARTICLES = ("van der", "van", "de", "de la", "del", "von", "da", "dos", "di", "le", "mac", "bin",
             "al", "ó", "ní", "ap", "abu", "ben", "st")  # fmt: skip

_SYL_START = ("b", "br", "ch", "d", "dr", "f", "g", "gr", "h", "j", "k", "kh", "l", "m", "n", "p",
              "r", "s", "sh", "t", "th", "tr", "v", "w", "y", "z", "zh", "")  # fmt: skip
_SYL_VOWEL = ("a", "e", "i", "o", "u", "ai", "ei", "ou", "ia", "ee", "oa", "y", "á", "é", "ö", "ü",
              "ő", "ø", "ã")  # fmt: skip
_SYL_END = ("", "", "n", "r", "l", "s", "m", "nd", "rt", "ck", "th", "x", "k", "ng", "sk", "v")
_NAME_ENDS = ("son", "sen", "ski", "ska", "ova", "ovic", "ez", "es", "ani", "ini", "elli", "ado", "oni",
              "ley", "worth", "ham", "er", "ard", "ette", "ine", "ia", "ak", "uk", "enko", "yan",
              "idis", "oglu", "ishvili", "dottir", "berg", "stein", "mann", "eau",
              "", "", "", "")  # fmt: skip

TOWN_HEADS = _words("""
ash brad chel dun ell farn glen hal kirk lang mel nor ock pen ross sal thorn wal wick brom cal
dray eg fen gold hax ick kel lud mar ned oak pol quen red shep tad ux ven wen yar ald bex cud
""")
TOWN_TAILS = _words("""
ford ton by ham ley field bury wick worth mouth stead bridge thorpe combe minster caster holm dale
haven well hurst den burn chester cott ing borough ridge mere sey wood low over
""")
TOWN_MODS = ("great", "little", "upper", "lower", "north", "south", "east", "west", "old", "new",
             "long", "kings", "market", "nether", "much", "st", "castle", "bishops")  # fmt: skip
REAL_TOWNS = _words("""
leeds lagos krakow gdańsk cluj kraków são-paulo zürich malmö tromsø dundee swansea cardiff derry
galway limerick wexford lisburn inverness aberdeen preston wigan bolton hexham morpeth alnwick
kendal penrith ripon selby goole grimsby boston lincoln grantham newark mansfield buxton matlock
ludlow hereford ross tewkesbury stroud frome yeovil taunton barnstaple bideford truro falmouth
camborne redruth bodmin launceston tavistock okehampton tiverton honiton axminster bridport
dorchester wareham swanage poole ringwood romsey andover basingstoke reading slough watford luton
bedford kettering corby wellingborough rugby nuneaton tamworth lichfield stafford stone leek crewe
nantwich wrexham mold rhyl conwy bangor pwllheli aberystwyth cardigan tenby pembroke carmarthen
llanelli neath bridgend barry penarth newport chepstow monmouth abergavenny brecon builth
""")

STREET_WORDS = _words("""
mill church station school orchard meadow oak elm bridge castle park green high victoria chapel
water well mount manor abbey priory kiln forge tannery brewery granary barley wheat hop cherry
apple plum pear holly ivy willow birch beech ash larch rowan hazel laurel maple cedar poplar yew
heather bracken fern moss primrose bluebell daffodil sunny pleasant fair long broad narrow north
south east west upper lower new old market cross king's queen's prince's duke's bishop's
shepherd's miller's baker's tanner's weaver's potter's fisher's glover's albert alexandra
""")
STREET_SUFFIXES = ("road", "street", "lane", "avenue", "close", "drive", "way", "crescent", "court",
                   "gardens", "grove", "place", "terrace", "row", "walk", "hill", "rise", "mews",
                   "square", "parade", "view", "wynd", "gate", "end", "fold", "yard")  # fmt: skip
HOME_WORDS = ("care home", "nursing home", "residential home", "house", "lodge", "court", "manor",
              "hall", "gardens", "view", "care centre", "retirement village", "hospice")  # fmt: skip
HOUSE_NAMES = ("the grange", "the willows", "the cedars", "the larches", "the laurels", "the beeches",
               "the elms", "the limes", "the hollies", "the firs", "the pines", "the poplars",
               "the maltings", "the old rectory", "the old vicarage", "the old forge",
               "the coach house", "the mill house", "the paddocks", "the meadows")  # fmt: skip

NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
           "twelve", "fourteen", "seventeen", "twenty", "twenty two", "thirty one", "forty two",
           "fifty", "sixty six", "ninety", "one hundred", "one one seven", "two eleven", "12", "4",
           "27", "103", "58")  # fmt: skip

# Streets as other countries write them ("calle de la X 14", "12 rue des X", "X-straße 7", "via dei
# X 22"): the street's word first, a particle, a number after it or before.
ABROAD_HEADS = ("calle", "avenida", "paseo", "camino", "rue", "avenue", "boulevard", "chemin",
                "impasse", "via", "viale", "piazza", "corso", "rua", "travessa", "largo", "praça",
                "ulica", "aleja", "strada", "carrer")  # fmt: skip
ABROAD_PARTICLES = ("de", "del", "de la", "des", "du", "de l'", "dei", "delle", "della", "das", "do",
                    "da", "dos", "", "", "")  # fmt: skip
ABROAD_SUFFIXES = ("straße", "strasse", "weg", "gasse", "allee", "platz", "gracht", "laan", "vej",
                   "gatan", "vägen", "utca", "ring")  # fmt: skip
# A dwelling inside a building: "flat 3", "apartment 4d", "unit 7", "suite 200".
UNIT_WORDS = ("flat", "apartment", "apt", "unit", "suite", "room", "bed", "number")
UNIT_NUMBERS = ("1", "3", "4d", "7", "11b", "12", "22", "200", "3c", "two", "nine", "six b",
                "fourteen", "twenty one", "one oh four")  # fmt: skip
# Where a caller is that is no address: a state, a room of the house, what a child swallowed.
STATES = ("pain", "agony", "tears", "shock", "a bad way", "a state", "bed", "labour", "a lot of pain",
          "distress", "a wheelchair", "hospital", "recovery", "a panic", "a mess", "trouble")  # fmt: skip
HOUSE_ROOMS = ("the bathroom", "the kitchen", "the bedroom", "the hallway", "the garden", "the shower",
               "the bath", "the loft", "the garage", "the lounge", "the living room", "the toilet",
               "the back yard", "the car", "the conservatory", "the utility room")  # fmt: skip
SUBSTANCES = ("bleach", "washing up liquid", "white spirit", "antifreeze", "weed killer",
              "paint thinner", "perfume", "mouthwash", "a button battery", "dishwasher tablets",
              "some of my pills", "cough syrup", "cleaning spray", "paraffin", "fabric conditioner",
              "hand sanitiser", "surface cleaner")  # fmt: skip
# Everyday words that are names elsewhere, as the things they are: "the frost", "up the hill".
EVERYDAY_NOUNS = ("frost", "snow", "rain", "storm", "summer", "winter", "hill", "field", "woods",
                  "marsh", "brook", "heather", "ivy", "holly", "roses", "fern", "moss", "sage",
                  "heath", "meadow", "sun", "wind", "hedge", "orchard", "dawn")  # fmt: skip

RELATIVES = ("mum", "mom", "dad", "wife", "husband", "son", "daughter", "sister", "brother", "nan",
             "gran", "grandad", "grandson", "granddaughter", "aunt", "uncle", "cousin", "neighbour",
             "partner", "friend", "carer", "niece", "nephew", "stepdad", "mother", "father")  # fmt: skip


def _cap(word: str) -> str:
    return "-".join(p[:1].upper() + p[1:] for p in word.split("-"))


class _Draw:
    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    def invented(self) -> str:
        r = self.r
        syllables = range(r.randint(1, 2))
        parts = [r.choice(_SYL_START) + r.choice(_SYL_VOWEL) + r.choice(_SYL_END) for _ in syllables]
        word = "".join(parts) + r.choice(_NAME_ENDS)
        return word if len(word) >= 3 else word + "lo"

    def given(self) -> str:
        r = self.r.random()
        if r < 0.55:
            return self.r.choice(GIVEN)
        if r < 0.75:
            return self.r.choice(EVERYDAY_GIVEN)
        if r < 0.85:
            return self.r.choice(GIVEN) + "-" + self.r.choice(GIVEN)
        return self.invented()

    def surname(self) -> str:
        r = self.r.random()
        if r < 0.45:
            base = self.r.choice(SURNAMES)
        elif r < 0.65:
            base = self.r.choice(EVERYDAY_SURNAMES)
        elif r < 0.78:
            both = SURNAMES + EVERYDAY_SURNAMES
            base = self.r.choice(both) + "-" + self.r.choice(both)
        elif r < 0.88:
            base = self.r.choice(PARTICLES) + " " + self.r.choice(SURNAMES + EVERYDAY_SURNAMES)
        else:
            base = self.invented()
        if self.r.random() < 0.05:
            base = ("o'" if self.r.random() < 0.5 else "mc") + base.split()[-1]
        return base

    def full_name(self) -> str:
        r = self.r.random()
        if r < 0.12:
            return self.given()
        if r < 0.2:
            return self.surname()
        if r < 0.3:
            return f"{self.given()} {self.given()} {self.surname()}"
        if r < 0.37:  # "pilar ochoa salazar", "ana de la fonseca ruiz": two surnames
            return f"{self.given()} {self.surname()} {self.surname()}"
        return f"{self.given()} {self.surname()}"

    def town(self) -> str:
        r = self.r.random()
        if r < 0.3:
            t = self.r.choice(REAL_TOWNS).replace("-", " ")
        elif r < 0.75:
            t = self.r.choice(TOWN_HEADS) + self.r.choice(TOWN_TAILS)
        else:
            t = self.invented()
        if self.r.random() < 0.25:
            t = self.r.choice(TOWN_MODS) + " " + t
        elif self.r.random() < 0.05:
            t = t + " on sea"
        return t

    def street(self) -> str:
        head = self.r.choice(STREET_WORDS) if self.r.random() < 0.6 else self.surname().split()[-1]
        return f"{head} {self.r.choice(STREET_SUFFIXES)}"

    def home(self) -> str:
        r = self.r.random()
        if r < 0.35:
            return self.r.choice(HOUSE_NAMES)
        head = self.r.choice(STREET_WORDS + EVERYDAY_SURNAMES) if r < 0.75 else self.town()
        out = f"{head} {self.r.choice(HOME_WORDS)}"
        return ("the " + out) if self.r.random() < 0.5 else out

    def abroad(self) -> str:
        r = self.r
        word = r.choice(SURNAMES + STREET_WORDS) if r.random() < 0.6 else self.invented()
        number = r.choice(("4", "9", "14", "22", "48", "103", "7b", "two", "fourteen"))
        form = r.random()
        if form < 0.3:
            return f"{word}{r.choice(ABROAD_SUFFIXES)}" + (f" {number}" if r.random() < 0.7 else "")
        particle = r.choice(ABROAD_PARTICLES)
        street = " ".join(x for x in (r.choice(ABROAD_HEADS), particle, word) if x).replace("' ", "'")
        if form < 0.75:
            return street + (f" {number}" if r.random() < 0.7 else "")
        return f"{number} {street}"

    def unit(self) -> str:
        return f"{self.r.choice(UNIT_WORDS)} {self.r.choice(UNIT_NUMBERS)}"

    def address(self) -> str:
        r = self.r.random()
        if r < 0.45:
            return f"{self.r.choice(NUMBERS)} {self.street()}"
        return self.street()


# Sentence frames: {N} a name, {T} a town, {S} a street (maybe with its number), {Z} a street
# with no number, {F} a street as other countries write it, {U} a flat, unit or room, {H} a home or
# a house's name, {R} a relative. Frames with no slot are sentences with no PHI.
NAME_FRAMES = """
my name is {N}
this is {N}
it's {N} calling
{N} here
hi it's {N}
yeah it's {N} again
i'm calling about {N}
i'm ringing for {N}
it's about {N}
the appointment is for {N}
the booking's for {N}
can you tell {N} to ring me back
could you ask {N} to call me
please let {N} know i called
my {R} {N} has a temperature
my {R} {N} needs a repeat prescription
my {R}, {N}, is poorly
i look after my {R} {N}
i'm with {N} now
we saw {N} at the shops
{N} drove me in this morning
{N} told me to ring you
{N} has been poorly all week
{N} can't make it tuesday
{N} is my next of kin
{N} dropped me off
{N} and i are coming together
me and {N} will come in
i came in with {N}
{N} said the doctor wanted to see her
{N}'s tablets ran out
i'm picking up {N}'s prescription
it's for {N}'s blood test
did {N} get her results
has {N} been seen yet
is {N} still on the ward
the patient is {N}
the patient's name is {N}
her name is {N}
his name's {N}
she's called {N}
he goes by {N}
{N} gave me this number
{N} from next door found him
ask for {N} when you get there
i spoke to {N} yesterday
we were with {N} last night
mrs {N} has had a fall
mr {N} needs a home visit
miss {N} missed her appointment
ms {N} wants a callback
it's {N}'s mum here
the carer {N} rang earlier
my neighbour {N} takes me
sorry {N} couldn't come
{N} wanted to know about her scan
{N} {D}
{N} {D} {W}
the letter went to {N} by mistake
i'll {V} it with {N} {W}
we stopped at {N}'s on the way
{N} took me to {C}
i was at {C} with {N}
{N} was at {C} {W}
it was {N} who found her
{N}'s coming with me
send it to {N} instead
i'll give it to {N}
{N} wants to know if the {X} is {A}
give {N} a ring
{N} rang me {W}
i was talking to {N} {W}
{N} is my {R}
{N}, my {R}, {D}
{N} and {N} are coming
i'm here with {N}
{N} from the {X} club
{N} said my {X} was {A}
is {N} {A}
this is {N} i need to {V} my {X}
hi it's {N} i'm calling about my {X}
my name is {N} i need a new {X}
it's {N} i got a letter about my {X}
{N} here i missed a call from you
this is {N} i'm ringing for my {R}
yeah hi {N} i was told to call
i'm {N} i had a {X} {W}
this is {N} my {X} is {A}
mrs. {N} is on the ward
mr. {N} has been discharged
ms. {N} asked me to ring
i'm ringing for mr. {N}
can you check on mrs. {N}
i'm ringing for the {O} {N}
{O} {N} asked me to call
it's about {O} {N} on the ward
can you tell the {O} {N} i rang
we're with {O} {N} now
tell {N} i said hello
i think {N} rang {W}
i think {N} {D}
apparently {N} {D}
maybe {N} can {V} my {X}
i guess {N} will ring you {W}
i reckon {N} {D}
i know {N} rang {W}
did {N} phone {W}
{N} phoned {W}
{N} popped in {W}
ask {N} to ring me {W}
let {N} know i rang
give {N} my love
remind {N} about the {X}
thank {N} for me
""".strip().splitlines()

PLACE_FRAMES = """
i live in {T}
we're in {T}
she lives over in {T}
he's from {T}
they moved to {T} last year
i'm out in {T}
we're near {T}
i drive in from {T}
it's a long way from {T}
the bus from {T} was late
i'm at {S}
we live on {S}
my address is {S}, {T}
it's {S} in {T}
she's at {S}
send it to {S}
we moved to {S}
he's staying at {S}, {T}
my mum's at {H}
she's in {H} now
he lives at {H}
we're at {H}, {S}
i'm ringing from {H}
the staff at {H} said to call
they took him to {H} for respite
{H} rang me {W}
we're just off {S}
it's by {S}
out past {T}
the road to {T} was shut
i grew up in {T}
i'm going back to {T} {W}
i've come from {T} on the bus
i'm staying in {T} {W}
{T}'s a long way
she's in {H} for a week
he's been at {H} since {W}
it's the house on {S}
they moved her to {H} in {T}
our house is {H}
we're the house called {H}
it's {H} on {S}
i'm up at {S} by the park
the taxi can pick me up from {S}
i live on the corner of {Z} and {Z}
it's at the junction of {Z} and {Z}
he lives where {Z} meets {Z}
we're just off {Z} near {Z}
the address is {F}
she lives at {F}, {T}
send it to {F} {T}
my daughter lives at {F}
my address is {F} in {T}
i'm at {U}, {S}
it's {U} {H}
{U} {S}
we're in {U} at {H}
i live at {S} {U}
my mum's in {U} at {H}
i'm in {T} just outside {T}
we're in {T} near {T}
""".strip().splitlines()

MIXED_FRAMES = """
{N}, {S}, {T}
it's {N} from {T}
{N} at {S}
my {R} {N} lives in {T}
{N} is at {H} in {T}
i'm {N} and i live on {S}
{N}'s moved to {H}
we saw {N} in {T}
i'm {N}, {U} {S}
{N} lives at {F}
this is {N} on the corner of {Z} and {Z}
""".strip().splitlines()

PLAIN_FRAMES = """
i will ring back tomorrow
i'll call back later
will someone call me back
can i book an appointment please
i need to change my appointment
i'd like to speak to a nurse
my mum has been poorly all week
my daughter has an earache
my son fell over at school
my husband needs his tablets
we saw the doctor at the shops
she's at work until five
he's at school today
i'm in the car park
the frost got the roses
the bill came this morning
i'm going to the chemist
the bus was late again
i live near the hospital
we moved house last year
can you tell me the visiting hours
could you ask the doctor to ring me
please let the nurse know i called
is she still on the ward
has he been seen yet
did the results come back
i came in with my sister
me and my wife will come in
my neighbour takes me to the surgery
sorry i couldn't come on monday
the appointment is for tuesday morning
it's about my blood test
it's about the letter you sent
i'm calling about my prescription
i'm ringing about the parking
this is the second time i've called
yeah it's me again
the patient is my dad
he goes by his middle name
hope you can help
i hope that's okay
grace period for the bill
the heather in the garden is out
the holly bush by the door
we had a frost last night
the river was high
it was a long day
fair enough
that's a fair price
mark my words
i'll mark it in the diary
the dean of the college
the church on the corner
we went to the park
the station was busy
the bridge was closed
the mill is shut
i walked up the hill
the green bin was full
the white van outside
she wears a black coat
he's a baker by trade
the fisher price toy
it's a small thing
the little one has a rash
i feel a bit rich today
the wood was wet
a stone in my shoe
the lamb was lovely
the field was muddy
the hall was full
the water's gone cold
my back is killing me
the nurse was lovely
the pharmacy on the corner is closed
it's the blue door
the house with the red door
the home help comes on tuesdays
the care home rang me
she's in a care home now
he moved into a nursing home
the lodge is at the gate
a court date came through
the garden needs doing
the view from the ward is nice
i'm on the second floor
the lift is broken
they're in the waiting room
take the first left after the lights
come in through the main entrance
i'll wait in the car
the traffic was terrible on the way in
is there parking at the front
when does the pharmacy open
how long is the wait
what time is my appointment
i can't make it this week
may i speak to someone
it may be nothing
march is a busy month
we'll see in june
april showers
can i bring my daughter with me
do i need to fast before the test
my chest has been tight
the rash has spread to my arms
he's been sick twice
she's got a high temperature
i think it's an infection
the tablets aren't working
i ran out of my inhaler
the cream helped a bit
i've had a cough for two weeks
my knee keeps giving way
the dressing needs changing
the stitches came out
i'd rather see a woman doctor
can the doctor ring me after six
i'm at work until three
i'm out all day tomorrow
the earliest you have is fine
sooner would be better
later in the week is better
any day but friday
thanks for your help
that's all thanks
no that's everything
sorry say that again
i didn't catch that
hang on a minute
hold on i'll get a pen
let me find my letter
it's on the letter somewhere
i don't know the number
my daughter's in {K} at the moment
she's on holiday in {K}
my son lives in {K} now
we've just come back from {K}
he flew in from {K} {W}
her number in {K} is the same
i was born in {K}
the {O} said to ring
i'm calling for the {O}
the {O} came to see him {W}
our {O} visits on sundays
""".strip().splitlines()

# Sentences with no PHI, built from parts so that everyday words stand in the places names stand
# in: "my knee has been sore", "it's about my bill", "ask the nurse to ring me".
BODY = _words("""
throat chest knee back ankle wrist arm leg head stomach tummy ear eye skin hip shoulder neck foot
hand finger toe tooth teeth gums jaw chin nose lip tongue elbow heel spine bladder bowel kidney
""")
THINGS = _words("""
pills tablets medicine medication prescription inhaler cream drops dressing bandage stitches
appointment checkup scan x-ray results letter bill invoice insurance plan card form referral test
bloods sample procedure operation surgery visit hours parking garage car bus taxi lift door
entrance clinic pharmacy reception office department work school holiday weekend slot pain
headache migraine dizziness allergy infection diabetes asthma cholesterol weight sleep advice help
question problem mistake message voicemail call phone email rash cough cold fever temperature
vaccine jab injection flu covid booster smear sling crutches wheelchair walker glasses hearing
aid catheter pump monitor machine meter strips needles plasters blister bruise lump swelling burn
cut bite sting wound boil cyst wart mole spot itch cramp spasm seizure fit fall accident
""")
STAFF = ("doctor", "nurse", "consultant", "surgeon", "midwife", "physio", "dentist", "pharmacist",
         "receptionist", "manager", "duty doctor", "practice nurse", "district nurse", "gp",
         "health visitor", "social worker", "ward sister", "on call doctor", "specialist")  # fmt: skip
ADJECTIVES = _words("""
better worse poorly sick unwell sore swollen tired dizzy sweaty numb fine okay busy late early free
available ready closed open full empty broken new old same different bad awful terrible itchy red
hot cold weak shaky stiff tender bruised infected bleeding painful worried anxious confused lovely
""")
VERBS = ("cancel", "rebook", "reschedule", "change", "move", "book", "check", "confirm", "collect",
         "pick up", "drop off", "refill", "renew", "pay", "find", "get", "bring", "send", "sort out",
         "talk about", "ask about", "chase up", "follow up", "look at", "go over")  # fmt: skip
TIMES = ("tomorrow", "today", "next week", "this afternoon", "on monday", "after lunch", "first thing",
         "sometime this week", "another day", "later", "this morning", "tonight", "at the weekend",
         "in the morning", "on friday", "before christmas", "next month", "in a fortnight")  # fmt: skip
COMMON_PLACES = ("the shops", "the park", "the station", "work", "home", "school", "the hospital",
                 "the surgery", "the chemist", "the pharmacy", "the car park", "town", "the market",
                 "the garden", "the gym", "church", "the pub", "the bus stop", "the front desk",
                 "the ward", "the clinic", "a and e", "the walk in centre", "the day centre",
                 "the library", "the post office", "the bank", "the supermarket", "bed")  # fmt: skip
DOINGS = ("has a bad cough", "needs her pills refilled", "thinks he's having a heart attack",
          "is coming with me", "can't walk far", "fell in the garden", "has been sick twice",
          "is on the way", "wants to come in with me", "gets confused in the evenings",
          "has run out of her cream", "is waiting in the car", "doesn't drive", "lives on her own",
          "is hard of hearing", "will bring me", "can take me", "is at work", "is at school")  # fmt: skip
MEDICINES = _words("""
omeprazole amlodipine metformin atorvastatin simvastatin lisinopril ramipril levothyroxine
sertraline citalopram fluoxetine gabapentin pregabalin tramadol codeine co-codamol naproxen
diclofenac amoxicillin doxycycline clarithromycin prednisolone salbutamol beclometasone warfarin
apixaban rivaroxaban bisoprolol furosemide lansoprazole mirtazapine zopiclone diazepam lorazepam
ventolin tylenol advil motrin zyrtec claritin adderall lipitor nexium plavix eliquis januvia
humira ozempic losartan hydrocortisone mebeverine finasteride tamsulosin propranolol nitrofurantoin
trimethoprim cetirizine loratadine fexofenadine sumatriptan methotrexate allopurinol colchicine
""")
PRONOUNS = ("he", "she", "they", "someone", "somebody", "anyone", "my mum", "my husband", "my wife",
            "the carer", "her carer", "his wife", "my partner")  # fmt: skip
PLAIN_PARTS = """
i'd like to {V} my {X}
i need to {V} my {X} {W}
can i {V} the {X} {W}
my {B} is {A}
my {B} has been {A} since {W}
my {R}'s {B} is {A}
my {R} {D}
it's about my {X}
i'm calling about my {X}
i'm ringing about the {X}
it's for my {B}
it's for my {X}
i need more {M}
i'm on {M} for my {B}
can i take {M} with {M}
my {R} is on {M}
is it okay to give my {R} {M}
i ran out of {M} {W}
i need a prescription for {M}
the {M} isn't working
i'm allergic to {M}
i need my {M} refilled
i'd like to {V} my {X} and {V} for {W}
i need help with my {X} {X}
i'm calling about my {R}'s {X}
i need a copy of my {X}
the appointment is for my {X}
the {X} is {A}
i feel {A}
i've got a {A} {B}
is the {X} {A} {W}
can i speak to the {S}
tell the {S} i called
ask the {S} to ring me {W}
could you ask {P} to ring me
{P} has been {A} since {W}
we saw the {S} at {C}
i saw the {S} at {C}
i'm at {C}
she's at {C} {W}
he's in {C}
we're at {C} now
i came in with my {R}
i came from {C}
i'm on my way from {C}
for my {A} {B}
i'm out of my {X}
{W} would be {A}
the {X} on the {X}
my {X} was {A}
i left my {X} at {C}
can the {S} look at my {B}
the {S} said my {X} was {A}
will the {S} be there {W}
i will {V} it {W}
may i {V} my {X}
{P} is in {STATE}
i'm in {STATE}
my {R} is in {STATE} {W}
i found {P} in {ROOM}
{P} fell in {ROOM}
my {R} fell over in {ROOM} {W}
i'm stuck in {ROOM}
my {R} swallowed {SUB}
my {R} drank some {SUB}
my child got {SUB} in her eye
my {R} might have eaten {SUB}
i was out in the {E} and hurt my {B}
there's {E} all over the path
my {R} loves the {E}
we walked up the {E} {W}
i got a rash from the {E}
the {E} made my {B} {A}
""".strip().splitlines()


def _plain(r: random.Random) -> str:
    frame = r.choice(PLAIN_PARTS)
    fills = {"V": VERBS, "X": THINGS, "B": BODY, "A": ADJECTIVES, "S": STAFF, "W": TIMES,
             "C": COMMON_PLACES, "D": DOINGS, "P": PRONOUNS, "R": RELATIVES, "M": MEDICINES,
             "STATE": STATES, "ROOM": HOUSE_ROOMS, "SUB": SUBSTANCES, "E": EVERYDAY_NOUNS}  # fmt: skip
    out = frame
    for key, pool in fills.items():
        while "{" + key + "}" in out:
            out = out.replace("{" + key + "}", r.choice(pool), 1)
    return out


FILLERS = ("uh", "um", "er", "erm", "so", "yeah", "okay", "right", "well", "oh", "hi", "hello")


class _Writer:
    """Fills frames, writing the text and the spans of what it put in."""

    def __init__(self, rng: random.Random) -> None:
        self.r = rng
        self.draw = _Draw(rng)

    def fill(self, frame: str, capitals: bool) -> Example:
        out: list[str] = []
        spans: list[tuple[int, int, str]] = []
        pos = 0
        i = 0
        while i < len(frame):
            if frame[i] == "{":
                j = frame.index("}", i)
                slot = frame[i + 1 : j]
                value, label = self._value(slot)
                if capitals and slot == "K":  # "Spain", as a recognizer with capitals writes it
                    value = _cap(value)
                if capitals and label is not None:
                    value = " ".join(_cap(w) if w not in ("the", "on", "van", "de", "der", "la", "di") else w
                                     for w in value.split())  # fmt: skip
                if label is not None:
                    spans.append((pos, pos + len(value), label))
                out.append(value)
                pos += len(value)
                i = j + 1
            else:
                out.append(frame[i])
                pos += 1
                i += 1
        return "".join(out), spans

    def _value(self, slot: str) -> tuple[str, str | None]:
        d = self.draw
        if slot == "N":
            return d.full_name(), "NAME"
        if slot == "T":
            return d.town(), "ADDRESS"
        if slot == "S":
            return d.address(), "ADDRESS"
        if slot == "H":
            return d.home(), "ADDRESS"
        if slot == "Z":
            return d.street(), "ADDRESS"
        if slot == "F":
            return d.abroad(), "ADDRESS"
        if slot == "U":
            return d.unit(), "ADDRESS"
        pool = _POOLS.get(slot)
        if pool is not None:
            return self.r.choice(pool), None
        raise ValueError(f"unknown slot {slot!r}")

    def sentence(self) -> Example:
        r = self.r.random()
        if r < 0.3:
            frame = self.r.choice(NAME_FRAMES)
        elif r < 0.45:
            frame = self.r.choice(PLACE_FRAMES)
        elif r < 0.5:
            frame = self.r.choice(MIXED_FRAMES)
        elif r < 0.72:
            frame = self.r.choice(PLAIN_FRAMES)
        else:
            frame = _plain(self.r)
        capitals = self.r.random() < 0.2
        text, spans = self.fill(frame, capitals)
        if self.r.random() < 0.35:  # a filler before it, as speech opens
            lead = self.r.choice(FILLERS) + " "
            text, spans = lead + text, [(a + len(lead), b + len(lead), lab) for a, b, lab in spans]
        if self.r.random() < 0.25:  # a filler after it
            text += " " + self.r.choice(FILLERS[:4])
        if not capitals and self.r.random() < 0.15:  # "im at work": no apostrophes
            text, spans = _without_apostrophes(text, spans)
        if capitals:
            text = text[:1].upper() + text[1:]
            if self.r.random() < 0.5:
                text += "."
        return text, spans


# Countries and large regions: Safe Harbor keeps geography down to a state, so they are no PHI.
COUNTRIES = _words("""
spain france portugal italy greece poland ireland scotland wales england canada australia india
pakistan nigeria ghana kenya jamaica germany america mexico brazil china japan vietnam turkey
egypt morocco iran somalia ethiopia philippines romania ukraine sweden norway florida texas europe
""")

# Titles of office and honour that stand before a name as "mrs" does: "the reverend amos …".
HONORIFICS = ("reverend", "rev", "pastor", "father", "sister", "brother", "rabbi", "imam", "professor",
              "prof", "captain", "sir", "dame", "lady", "lord", "major", "sergeant", "judge",
              "councillor", "deacon", "elder", "canon", "bishop")  # fmt: skip

_POOLS = {"O": HONORIFICS, "K": COUNTRIES, "R": RELATIVES, "V": VERBS, "X": THINGS, "B": BODY,
          "A": ADJECTIVES, "S_": STAFF, "W": TIMES, "C": COMMON_PLACES, "D": DOINGS,
          "M": MEDICINES}  # fmt: skip


def _without_apostrophes(text: str, spans: list[tuple[int, int, str]]) -> Example:
    kept = [i for i, c in enumerate(text) if c != "'"]
    where = {old: new for new, old in enumerate(kept)}
    where[len(text)] = len(kept)

    def moved(i: int) -> int:
        while i not in where:
            i += 1
        return where[i]

    return "".join(text[i] for i in kept), [(moved(a), moved(b), lab) for a, b, lab in spans]


def generate(n: int, seed: int) -> list[Example]:
    """`n` labeled sentences, the same for the same seed."""
    writer = _Writer(random.Random(seed))
    return [writer.sentence() for _ in range(n)]
