"""Synthetic people and places for the reference scenario.

Commission members and polling-station addresses are invented (no real person is named); the
lists below are common Kazakh given names, surname stems, street names and village-name
elements, so that pages and exports look like the real thing.
"""

from __future__ import annotations

import numpy as np

MALE = [
    "Aidar",
    "Aibek",
    "Almas",
    "Arman",
    "Askar",
    "Asylbek",
    "Azamat",
    "Baurzhan",
    "Bakhyt",
    "Bolat",
    "Daniyar",
    "Dauren",
    "Dias",
    "Erlan",
    "Ermek",
    "Galym",
    "Kairat",
    "Kanat",
    "Marat",
    "Nurlan",
    "Nursultan",
    "Olzhas",
    "Rustem",
    "Sanzhar",
    "Serik",
    "Talgat",
    "Timur",
    "Yerbol",
    "Yerzhan",
    "Zhandos",
    "Zhanibek",
    "Maksat",
    "Murat",
    "Berik",
    "Adil",
    "Alibek",
    "Ruslan",
    "Sergei",
    "Viktor",
    "Andrei",
]
FEMALE = [
    "Aigerim",
    "Ainur",
    "Aisulu",
    "Akmaral",
    "Aliya",
    "Asel",
    "Assem",
    "Aruzhan",
    "Bayan",
    "Dana",
    "Dariga",
    "Dinara",
    "Gaukhar",
    "Gulnara",
    "Gulmira",
    "Indira",
    "Kamila",
    "Karlygash",
    "Laura",
    "Madina",
    "Meruert",
    "Moldir",
    "Nazgul",
    "Raushan",
    "Saule",
    "Sholpan",
    "Symbat",
    "Togzhan",
    "Zarina",
    "Zhanar",
    "Zhuldyz",
    "Elmira",
    "Anara",
    "Botagoz",
    "Kuralay",
    "Lyazzat",
    "Olga",
    "Irina",
    "Natalya",
    "Tatyana",
]
SURNAME_STEMS = [
    "Abdrakhman",
    "Akhmet",
    "Alimbek",
    "Amanzhol",
    "Baimukhamed",
    "Bekmukhambet",
    "Dzhaksybek",
    "Esenbai",
    "Ibrai",
    "Iskak",
    "Kassym",
    "Kenzhebek",
    "Mukhamedzhan",
    "Nurbek",
    "Omarbek",
    "Ospan",
    "Sadyk",
    "Seitkali",
    "Serikbai",
    "Smagul",
    "Suleimen",
    "Tokhtar",
    "Tulegen",
    "Utegen",
    "Zhakup",
    "Zhumabai",
    "Sarsenbai",
    "Kaliev",
    "Myrzakhmet",
    "Baitursyn",
    "Yesim",
    "Kudaibergen",
    "Tasbolat",
    "Akhmetzhan",
    "Orynbai",
    "Shaimerden",
    "Beisen",
    "Zholdasbek",
    "Karimzhan",
]
RUSSIAN_SURNAMES = [
    "Ivanov",
    "Petrov",
    "Sidorov",
    "Kuznetsov",
    "Popov",
    "Smirnov",
    "Volkov",
    "Morozov",
    "Pavlov",
    "Fedorov",
    "Novikov",
    "Orlov",
]
STREETS = [
    "Abay",
    "Dostyk",
    "Tauelsizdik",
    "Satpayev",
    "Baitursynov",
    "Kunayev",
    "Respublika",
    "Zhambyl",
    "Auezov",
    "Bokeikhan",
    "Al-Farabi",
    "Seifullin",
    "Karasai Batyr",
    "Tole Bi",
    "Kabanbai Batyr",
    "Zheltoksan",
    "Mangilik El",
    "Kenesary",
    "Turan",
    "Nauryzbai Batyr",
    "Gogol",
    "Pushkin",
    "Mira",
    "Shokan Ualikhanov",
    "Makhambet",
    "Syganak",
]
VILLAGE_PARTS = [
    "Ak",
    "Kara",
    "Zhana",
    "Kyzyl",
    "Sary",
    "Kok",
    "Ulken",
    "Kishi",
    "Besh",
    "Alty",
    "Koktem",
    "Bereke",
    "Birlik",
    "Tugan",
    "Zhas",
    "Shalkar",
]
VILLAGE_ENDS = [
    "bulak",
    "su",
    "tobe",
    "kol",
    "zhar",
    "kum",
    "say",
    "tal",
    "oba",
    "kuduk",
    "agash",
    "aryk",
    "tau",
    "dala",
    "ozek",
    "kent",
]
BUILDINGS = (
    "Secondary School No. {n}",
    "School-Lyceum No. {n}",
    "House of Culture",
    "Gymnasium No. {n}",
    "College of Technology",
    "Sports Complex",
    "Library No. {n}",
    "Kindergarten No. {n}",
)
SPECIAL_SITES = (
    "City Hospital No. {n}",
    "Regional Clinical Hospital",
    "Rest Home",
    "Military Unit {n}",
    "Pre-trial Detention Centre",
    "Tuberculosis Dispensary",
    "Perinatal Centre",
    "Remote Station {n}",
)


def person(rng: np.random.Generator, gender: str) -> str:
    """A synthetic full name: surname with the gendered ending, then the given name."""
    given = rng.choice(FEMALE if gender == "female" else MALE)
    if rng.random() < 0.12:
        stem = str(rng.choice(RUSSIAN_SURNAMES))
        surname = stem + ("a" if gender == "female" else "")
    else:
        stem = str(rng.choice(SURNAME_STEMS))
        if rng.random() < 0.25:  # the Kazakh patronymic form: Kassymuly, Kassymkyzy
            surname = stem + ("kyzy" if gender == "female" else "uly")
        else:  # the Russian-style ending: Kassymov, Serikbayev
            surname = _russian_style(stem) + ("a" if gender == "female" else "")
    return f"{surname} {given}"


def _russian_style(stem: str) -> str:
    if stem.endswith(("ov", "ev")):
        return stem
    if stem.endswith("ai"):
        return stem[:-1] + "yev"
    if stem.endswith(("a", "e", "i", "o", "u")):
        return stem + "yev"
    return stem + "ov"


def village(rng: np.random.Generator) -> str:
    return str(rng.choice(VILLAGE_PARTS)) + str(rng.choice(VILLAGE_ENDS))


def street_address(rng: np.random.Generator, settlement: str, special: bool) -> str:
    """A plausible polling-station address: the building, street and number, settlement."""
    n = int(rng.integers(1, 120))
    building = str(rng.choice(SPECIAL_SITES if special else BUILDINGS)).format(n=n)
    street = str(rng.choice(STREETS))
    return f"{building}, {street} St. {int(rng.integers(1, 250))}, {settlement}"
