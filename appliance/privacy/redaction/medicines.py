"""Medicine names, which no English dictionary lists and which callers say in a name's slot:
"i need a prescription for ozempic", "can i take bisoprolol with tramadol", "give my mum
simvastatin". Read as a word no dictionary holds, each looked like a name and was redacted.

Generic names are told by the endings that international nonproprietary names share by class
(WHO's INN stems: "-pril", "-sartan", "-olol", "-statin", "-cillin", "-mab" …); brand names and
generic names without a class stem are listed. A word that is a medicine is a noun to the
dictionary (dictionary.tags), so neither the rules nor the tagger take it for a name or a place.
"""

from __future__ import annotations

from functools import lru_cache

from appliance.privacy.redaction.lexicon import NUMBER_VOCAB

# INN stems and common class endings, each long enough that no given name or surname ends so.
INN_STEMS = (
    "pril", "sartan", "olol", "dipine", "vastatin", "statin", "cillin", "mycin", "cycline", "floxacin",
    "oxacin", "triptan", "tidine", "lukast", "gliptin", "gliflozin", "glutide", "parin", "xaban",
    "gatran", "semide", "thiazide", "azepam", "zolam", "oxetine", "traline", "alopram", "pramine",
    "triptyline", "codone", "morphone", "profen", "fenac", "coxib", "olone", "asone", "isone",
    "terol", "tropium", "formin", "glitazone", "setron", "prazole", "conazole", "dronate", "afil",
    "azosin", "ulosin", "apentin", "gabalin", "tirizine", "atadine", "butamol", "asteride", "zumab",
    "ximab", "mumab", "tinib", "ciclovir", "clovir", "navir", "buvir", "sporin", "thromycin",
    "fibrate", "nidazole", "tretinoin", "estradiol", "sterone", "thyroxine", "opram", "peridol",
    "pipramine", "zapine", "apine", "idone", "barbital", "fenadine", "penem", "bactam",
)  # fmt: skip
_MEDICINE_WORDS = """
warfarin tramadol codeine codamol cocodamol naproxen zopiclone zolpidem allopurinol colchicine
methotrexate mebeverine nitrofurantoin trimethoprim metoclopramide digoxin amiodarone clopidogrel
aspirin morphine fentanyl oxycodone diazepam lorazepam clonazepam alprazolam lithium lamotrigine
levetiracetam carbamazepine valproate topiramate donepezil memantine quetiapine olanzapine
risperidone aripiprazole haloperidol bupropion venlafaxine duloxetine trazodone buspirone
hydroxyzine promethazine ondansetron loperamide senna lactulose movicol gaviscon omeprazole
ranitidine famotidine doxycycline amoxicillin penicillin flucloxacillin cefalexin ciprofloxacin
metronidazole fluconazole aciclovir valaciclovir oseltamivir hydroxychloroquine prednisone
hydrocortisone dexamethasone budesonide fluticasone montelukast salbutamol albuterol tiotropium
spironolactone furosemide bumetanide hydrochlorothiazide indapamide doxazosin tamsulosin finasteride
sildenafil tadalafil levonorgestrel norethisterone tamoxifen letrozole anastrozole metformin
gliclazide glipizide sitagliptin empagliflozin dapagliflozin semaglutide liraglutide tirzepatide
dulaglutide levothyroxine carbimazole ferrous folic thiamine cyanocobalamin ozempic wegovy mounjaro
humira adderall ritalin concerta vyvanse eliquis xarelto pradaxa januvia jardiance farxiga invokana
trulicity victoza lantus levemir tresiba humalog novolog novorapid zyrtec claritin allegra benadryl
sudafed mucinex flonase nasonex lipitor crestor zocor nexium prilosec pepcid zantac plavix brilinta
coumadin synthroid levoxyl ventolin proair symbicort advair seretide spiriva singulair tylenol advil
motrin aleve panadol nurofen calpol solpadeine xanax valium ativan klonopin ambien lunesta zoloft
prozac lexapro celexa paxil wellbutrin effexor cymbalta trazodone seroquel abilify zyprexa risperdal
lamictal depakote tegretol keppra topamax lyrica neurontin percocet vicodin norco oxycontin dilaudid
suboxone subutex methadone narcan naloxone epipen flomax proscar viagra cialis lasix norvasc toprol
lopressor zestril cozaar diovan entresto tamiflu augmentin keflex bactrim cipro diflucan valtrex
zithromax zpak macrobid glucophage janumet aricept namenda premarin yaz estrace evista fosamax
boniva prolia xgeva enbrel remicade stelara dupixent keytruda herceptin avastin rituxan otezla
coreg aldactone imdur zetia bystolic benicar altace cardizem tenormin plaquenil medrol flexeril
zofran phenergan reglan compazine toradol dilantin haldol decadron rocephin zosyn unasyn levaquin
flagyl protonix lovenox versed precedex pitocin narcan motrin robaxin ultram soma zanaflex
ceftriaxone cefazolin cephalexin cefuroxime cefepime ceftazidime cefdinir cefixime ketorolac
gentamicin tobramycin vancomycin heparin enoxaparin insulin acetaminophen paracetamol propofol
ketamine lidocaine bupivacaine nitroglycerin epinephrine adrenaline atropine
"""
MEDICINE_NAMES = frozenset(_MEDICINE_WORDS.split())
# Supplements asked about beside medicines ("is fish oil ok with my blood thinner"): their everyday
# words ("rose", "fish") read as a name together; the whole phrase is asked about (compose._no_one).
SUPPLEMENTS = frozenset((
    "fish oil", "cod liver oil", "krill oil", "rose hips", "rose hip", "rosehip", "evening primrose",
    "evening primrose oil", "st john's wort", "st. john's wort", "saint john's wort", "milk thistle",
    "saw palmetto", "black cohosh", "flaxseed oil", "ginkgo", "ginseng", "echinacea", "melatonin",
    "glucosamine", "turmeric", "elderberry", "primrose oil",
    # vitamins, by letter: "vitamin D" read as a name or a place ("and vitamin D 2,000 units")
    "vitamin a", "vitamin b", "vitamin b1", "vitamin b6", "vitamin b12", "vitamin c", "vitamin d",
    "vitamin d2", "vitamin d3", "vitamin e", "vitamin k", "vitamin k2", "multivitamin",
))  # fmt: skip


# What a dose is measured in: "half a milligram", "one gram", "2 mL", "ten units". Not tablets or
# puffs, which are counted out to a person ("give Maria two tablets").
DOSE_UNITS = frozenset((
    "mg", "milligram", "milligrams", "mcg", "microgram", "micrograms", "g", "gram", "grams", "gm",
    "ml", "milliliter", "milliliters", "millilitre", "millilitres", "cc", "ccs", "units", "iu",
    "liter", "liters", "litre", "litres", "l", "meq", "mmol", "mgs",
))  # fmt: skip
# Words of an amount said before its unit, beside the number words: "half a", "point two five".
_AMOUNT_WORDS = frozenset(("half", "quarter", "point", "a", "an", "and", *NUMBER_VOCAB))


def _amount(low: str) -> bool:
    return low in _AMOUNT_WORDS or low[:1].isdigit()


def given_with_a_dose(lows: list[str], after: list[str], known_word: bool) -> bool:
    """Do these words (a name or place a learned layer read), with the words said right after them,
    read as a medicine and its dose: "lorazepam half | a milligram", "ceftriaxone one gram",
    "meropenem | two grams"? The amounts and unit are cut from the end of the words; what is left
    must be a medicine, or one word a dictionary lists (`known_word`: "ceftriaxone"), for no one's
    name or place is measured out in grams."""
    k = len(lows)
    while k > 1 and (_amount(lows[k - 1]) or lows[k - 1] in DOSE_UNITS):
        k -= 1
    core, tail = lows[:k], lows[k:] + after
    j = 0
    while j < len(tail) and _amount(tail[j]):
        j += 1
    if j == 0 or j >= len(tail) or tail[j] not in DOSE_UNITS:
        return False
    return is_medicine(" ".join(core)) or (len(core) == 1 and known_word)


@lru_cache(maxsize=65536)
def is_medicine(low: str) -> bool:
    """Is this lower-case word a medicine's name ("bisoprolol", "ozempic")?"""
    if low in MEDICINE_NAMES or low in SUPPLEMENTS:
        return True
    return len(low) >= 7 and low.endswith(INN_STEMS)


_SUPPLEMENT_WORDS = max(len(x.split(" ")) for x in SUPPLEMENTS)
_SUPPLEMENT_ENDS = frozenset(x.split(" ")[-1] for x in SUPPLEMENTS)


def ends_in_supplement(low: str) -> bool:
    """Does this lower-case phrase end in a supplement's name ("take cod liver oil"), which a
    learned layer may read, with a word before it, as a place or a name?"""
    # its last one to four words looked up, not every supplement's ending tried in turn
    words = low.split(" ")
    if words[-1] not in _SUPPLEMENT_ENDS:
        return False  # every ending tried below ends in this word
    return any(" ".join(words[-n:]) in SUPPLEMENTS for n in range(1, min(len(words), _SUPPLEMENT_WORDS) + 1))
