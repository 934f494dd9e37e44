# Russian and Kazakh labels are Cyrillic on purpose; ruff's confusable-letter rules do not apply.
# ruff: noqa: RUF001, RUF002
"""Write the mission's four observation checklists as XLSForm files: the single source of them.

`forms/opening.xlsx`, `voting.xlsx`, `counting.xlsx` and `tabulation.xlsx` are GENERATED from
this script; edit the questions here and re-run it, never the spreadsheets:

    .venv/bin/python forms/make_forms.py            # rewrites forms/*.xlsx
    .venv/bin/python forms/make_forms.py --out DIR  # writes them elsewhere (the tests compare)

The questions are the ones the OSCE/ODIHR EOM final report (14 July 2023) reports on in section
XIII, "Election day": each question below carries, as a comment, the report sentence it comes
from, so every finding saylau computes from the answers can be traced to what the report says.
The protocol lines an observer copies during the count come from the election profile
(profiles/kz-2022-presidential.yaml), so their labels match the PEC results protocol exactly.

Labels are in English, Russian and Kazakh (Cyrillic), with the electoral vocabulary used in
Kazakhstan (УИК/УСК for PECs, ТИК/АСК for TECs, открепительное удостоверение / сырттай дауыс
беру куәлігі for AVCs). `saylau_problem` lists the answers that count as a problem; it is empty
for questions that only inform (who was present, the chairperson's gender).

The files are byte-stable: fixed document dates and fixed timestamps inside the zip, so running
the script twice gives identical bytes and `git diff` shows only real changes.
"""

from __future__ import annotations

import argparse
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from saylau.profiles import read_profile, shipped_profile_path

VERSION = "2022.1"
PROFILE = "kz-2022-presidential"
# Election day: the documents' dates, so that the bytes do not depend on when they were written.
FIXED_DATE = datetime(2022, 11, 20, 0, 0, 0)
ZIP_TIME = (2022, 11, 20, 0, 0, 0)
DEFAULT_LANGUAGE = "English (en)"
LANGUAGES = ("English (en)", "Russian (ru)", "Kazakh (kk)")
SURVEY_COLUMNS = (
    "type",
    "name",
    *(f"label::{language}" for language in LANGUAGES),
    "required",
    "relevant",
    "constraint",
    "saylau_problem",
    "saylau_section",
)
CHECK_COLUMNS = ("name", "formula", *(f"label::{language}" for language in LANGUAGES))
CHOICE_COLUMNS = ("list_name", "name", *(f"label::{language}" for language in LANGUAGES))
SETTINGS_COLUMNS = (
    "form_id",
    "version",
    "form_title",
    "form_title::Russian (ru)",
    "form_title::Kazakh (kk)",
    "default_language",
    "saylau_level",
)


@dataclass(frozen=True)
class Text:
    """One text in the three languages."""

    en: str
    ru: str
    kk: str

    def cells(self) -> tuple[str, str, str]:
        return (self.en, self.ru, self.kk)


@dataclass(frozen=True)
class Item:
    """One survey row. Defaults: a required yes/no question."""

    name: str
    label: Text
    problem: str = ""
    section: str = ""
    type: str = "select_one yes_no"
    required: bool = True
    relevant: str = ""
    constraint: str = ""

    def cells(self) -> tuple[str, ...]:
        return (
            self.type,
            self.name,
            *self.label.cells(),
            "yes" if self.required else "no",
            self.relevant,
            self.constraint,
            self.problem,
            self.section,
        )


@dataclass(frozen=True)
class QualityCheck:
    """A row of the `saylau_checks` sheet: a formula every submission should satisfy, which
    flags (never refuses) a submission that does not, for the data team to look at."""

    name: str
    formula: str
    label: Text

    def cells(self) -> tuple[str, ...]:
        return (self.name, self.formula, *self.label.cells())


@dataclass(frozen=True)
class Checklist:
    """One form: its settings and questions."""

    code: str
    title: Text
    level: str
    items: tuple[Item, ...]
    checks: tuple[QualityCheck, ...] = ()


# --- choice lists -----------------------------------------------------------------------------

CHOICES: dict[str, tuple[tuple[str, Text], ...]] = {
    "yes_no": (
        ("yes", Text("Yes", "Да", "Иә")),
        ("no", Text("No", "Нет", "Жоқ")),
    ),
    "assessment": (
        ("very_good", Text("Very good", "Очень хорошо", "Өте жақсы")),
        ("good", Text("Good", "Хорошо", "Жақсы")),
        ("bad", Text("Bad", "Плохо", "Нашар")),
        ("very_bad", Text("Very bad", "Очень плохо", "Өте нашар")),
    ),
    "gender": (
        ("female", Text("Female", "Женщина", "Әйел")),
        ("male", Text("Male", "Мужчина", "Ер")),
    ),
}
# Which lists each form uses (a choices sheet carries only what its survey refers to).
LISTS = {
    "opening": ("yes_no", "assessment"),
    "voting": ("yes_no", "assessment", "gender"),
    "counting": ("yes_no", "assessment"),
    "tabulation": ("yes_no", "assessment"),
}


def overall(label: Text) -> Item:
    """The overall assessment every checklist ends with; findings aggregate it first."""
    return Item("overall", label, "bad very_bad", "assessment", type="select_one assessment")


# --- opening ----------------------------------------------------------------------------------

OPENING = Checklist(
    "opening",
    Text(
        "Opening of the polling station",
        "Открытие избирательного участка",
        "Сайлау учаскесінің ашылуы",
    ),
    "pec",
    (
        # "The ODIHR EOM observed the opening in 127 polling stations which all opened on time."
        Item(
            "opened_on_time",
            Text(
                "Did the polling station open on time?",
                "Открылся ли избирательный участок вовремя?",
                "Сайлау учаскесі уақытында ашылды ма?",
            ),
            problem="no",
            section="opening",
        ),
        # "However, in 30 cases, the ballots were not counted, and their number was not announced
        # prior to the start of the polls."
        Item(
            "ballots_counted_announced",
            Text(
                "Were the ballots counted and their number announced before voting started?",
                "Были ли бюллетени пересчитаны и их число оглашено до начала голосования?",
                "Дауыс беру басталғанға дейін бюллетеньдер саналып, олардың саны жарияланды ма?",
            ),
            problem="no",
            section="opening",
        ),
        # "... and the ballot boxes were not shown to be empty and securely sealed."
        Item(
            "boxes_shown_empty_sealed",
            Text(
                "Were the ballot boxes shown to be empty and securely sealed?",
                "Были ли урны для голосования показаны пустыми и надёжно опечатаны?",
                "Сайлау жәшіктерінің бос екені көрсетіліп, олар сенімді түрде мөрленді ме?",
            ),
            problem="no",
            section="opening",
        ),
        # "In a few cases, the security of the ballot was not ensured as legally prescribed ..."
        Item(
            "ballot_security",
            Text(
                "Was the security of the ballots ensured as prescribed by law?",
                "Была ли обеспечена сохранность бюллетеней в порядке, установленном законом?",
                "Бюллетеньдердің сақталуы заңда белгіленген тәртіппен қамтамасыз етілді ме?",
            ),
            problem="no",
            section="opening",
        ),
        # Footnote 90: "The ballot boxes' serial numbers were neither recorded in the opening
        # protocols nor in the results protocols." (Added question; optional.)
        Item(
            "box_numbers_recorded",
            Text(
                "Were the ballot boxes' serial numbers recorded in the opening protocol?",
                "Были ли серийные номера урн для голосования внесены в протокол открытия?",
                "Сайлау жәшіктерінің сериялық нөмірлері ашылу хаттамасына енгізілді ме?",
            ),
            problem="no",
            section="opening",
            required=False,
        ),
        # "Procedures were, by and large, followed."
        Item(
            "procedures_followed",
            Text(
                "Were the opening procedures followed?",
                "Соблюдались ли процедуры открытия избирательного участка?",
                "Сайлау учаскесін ашу рәсімдері сақталды ма?",
            ),
            problem="no",
            section="opening",
        ),
        # "The ODIHR EOM assessed the opening positively in all but three polling stations
        # observed."
        overall(
            Text(
                "Overall assessment of the opening",
                "Общая оценка открытия избирательного участка",
                "Сайлау учаскесінің ашылуына жалпы баға",
            )
        ),
    ),
)

# --- voting -----------------------------------------------------------------------------------

AVC_USED = "${avc_voters} = 'yes'"

VOTING = Checklist(
    "voting",
    Text("Voting", "Голосование", "Дауыс беру"),
    "pec",
    (
        # "... a series of seemingly identical signatures (in 8 per cent of observed polling
        # stations) ..."
        Item(
            "identical_signatures",
            Text(
                "Did you see a series of seemingly identical signatures on the voter list?",
                "Заметили ли вы в списке избирателей ряд внешне одинаковых подписей?",
                "Сайлаушылар тізімінде бір-біріне ұқсас көрінетін бірқатар қолтаңбаны "
                "байқадыңыз ба?",
            ),
            problem="yes",
            section="integrity",
        ),
        # "... group voting (in 3 per cent) ..."
        Item(
            "group_voting",
            Text(
                "Did you observe group (family) voting?",
                "Наблюдали ли вы групповое (семейное) голосование?",
                "Топтық (отбасылық) дауыс беруді байқадыңыз ба?",
            ),
            problem="yes",
            section="integrity",
        ),
        # "... and indications of ballot stuffing, proxy and multiple voting in a few instances."
        Item(
            "ballot_stuffing",
            Text(
                "Did you see indications of ballot stuffing?",
                "Видели ли вы признаки вброса бюллетеней?",
                "Сайлау жәшігіне бюллетеньдерді заңсыз салу белгілерін көрдіңіз бе?",
            ),
            problem="yes",
            section="integrity",
        ),
        # Same sentence: "... proxy and multiple voting ..." (added questions; optional).
        Item(
            "proxy_voting",
            Text(
                "Did you see indications of proxy voting (voting on behalf of another voter)?",
                "Видели ли вы признаки голосования за других избирателей?",
                "Басқа сайлаушылардың атынан дауыс беру белгілерін көрдіңіз бе?",
            ),
            problem="yes",
            section="integrity",
            required=False,
        ),
        Item(
            "multiple_voting",
            Text(
                "Did you see indications of multiple voting?",
                "Видели ли вы признаки многократного голосования?",
                "Бірнеше рет дауыс беру белгілерін көрдіңіз бе?",
            ),
            problem="yes",
            section="integrity",
            required=False,
        ),
        # "Individuals outside the polling stations were systematically recording or tracking
        # voters who turned out to vote in 5 per cent of polling stations observed."
        Item(
            "voters_tracked",
            Text(
                "Were persons outside the polling station recording or tracking voters who came "
                "to vote?",
                "Вели ли лица за пределами избирательного участка учёт или отслеживание "
                "пришедших голосовать избирателей?",
                "Сайлау учаскесінің сыртындағы адамдар дауыс беруге келген сайлаушыларды тіркеп "
                "немесе бақылап отырды ма?",
            ),
            problem="yes",
            section="integrity",
        ),
        # "In a number of polling stations, the ODIHR EOM observed voters taking pictures of
        # their ballots ..."
        Item(
            "photos_of_ballots",
            Text(
                "Did you see voters taking photographs of their ballots?",
                "Видели ли вы, как избиратели фотографируют свои бюллетени?",
                "Сайлаушылардың өз бюллетеньдерін суретке түсіргенін көрдіңіз бе?",
            ),
            problem="yes",
            section="secrecy",
        ),
        # "The layout did not ensure the secrecy of the vote in 4 per cent of the observed
        # polling stations."
        Item(
            "secrecy_ensured",
            Text(
                "Did the layout of the polling station ensure the secrecy of the vote?",
                "Обеспечивала ли планировка помещения для голосования тайну голосования?",
                "Дауыс беру үй-жайының орналасуы дауыс беру құпиясын қамтамасыз етті ме?",
            ),
            problem="no",
            section="secrecy",
        ),
        # "... voters who voted with AVCs ..." (information: the next two apply only then).
        Item(
            "avc_voters",
            Text(
                "Did voters vote with absentee voting certificates (AVC)?",
                "Голосовали ли избиратели по открепительным удостоверениям?",
                "Сайлаушылар сырттай дауыс беру куәліктері бойынша дауыс берді ме?",
            ),
            problem="",
            section="avc",
        ),
        # "PECs never retained the AVCs and never added to the voter list the personal data of
        # voters who voted with AVCs, in 9 and 8 per cent of the observations, respectively ..."
        Item(
            "avc_retained",
            Text(
                "Did the PEC retain the absentee voting certificates of those voters?",
                "Оставляла ли участковая избирательная комиссия у себя открепительные "
                "удостоверения этих избирателей?",
                "Учаскелік сайлау комиссиясы осы сайлаушылардың сырттай дауыс беру куәліктерін "
                "өзінде қалдырды ма?",
            ),
            problem="no",
            section="avc",
            relevant=AVC_USED,
        ),
        Item(
            "avc_added_to_list",
            Text(
                "Did the PEC add the personal data of voters with absentee voting certificates to "
                "the voter list?",
                "Вносила ли участковая избирательная комиссия в список избирателей данные "
                "избирателей, голосовавших по открепительным удостоверениям?",
                "Учаскелік сайлау комиссиясы сырттай дауыс беру куәліктері бойынша дауыс берген "
                "сайлаушылардың деректерін сайлаушылар тізіміне енгізді ме?",
            ),
            problem="no",
            section="avc",
            relevant=AVC_USED,
        ),
        # "In 14 per cent of observed polling stations, at least one voter was refused the
        # opportunity to vote mainly due to lack of proper identification document (ID) or not
        # being included in the voter list."
        Item(
            "voter_refused",
            Text(
                "Was any voter refused the opportunity to vote?",
                "Было ли отказано хотя бы одному избирателю в возможности проголосовать?",
                "Кемінде бір сайлаушыға дауыс беруге мүмкіндік берілмеді ме?",
            ),
            problem="yes",
            section="voters",
        ),
        # "In 3 per cent, at least one voter without an appropriate ID was allowed to vote."
        Item(
            "voter_without_id_allowed",
            Text(
                "Was any voter without an appropriate identity document allowed to vote?",
                "Был ли допущен к голосованию хотя бы один избиратель без надлежащего документа, "
                "удостоверяющего личность?",
                "Жеке басын куәландыратын тиісті құжаты жоқ кемінде бір сайлаушы дауыс беруге "
                "жіберілді ме?",
            ),
            problem="yes",
            section="voters",
        ),
        # "Although unauthorized people were present in 6 per cent of the observations ..."
        Item(
            "unauthorized_present",
            Text(
                "Were unauthorized persons present in the polling station?",
                "Присутствовали ли в помещении для голосования посторонние лица?",
                "Дауыс беру үй-жайында бөгде адамдар болды ма?",
            ),
            problem="yes",
            section="transparency",
        ),
        # "... in general, they did not interfere in the work of PECs." (Added; optional.)
        Item(
            "unauthorized_interfered",
            Text(
                "Did the unauthorized persons interfere in the work of the PEC?",
                "Вмешивались ли посторонние лица в работу участковой избирательной комиссии?",
                "Бөгде адамдар учаскелік сайлау комиссиясының жұмысына араласты ма?",
            ),
            problem="yes",
            section="transparency",
            required=False,
            relevant="${unauthorized_present} = 'yes'",
        ),
        # "Political party and candidate observers were present in over two-thirds of the
        # observed polling stations ..."
        Item(
            "party_observers_present",
            Text(
                "Were political party or candidate observers present?",
                "Присутствовали ли наблюдатели от политических партий или кандидатов?",
                "Саяси партиялардың немесе кандидаттардың байқаушылары қатысты ма?",
            ),
            problem="",
            section="transparency",
        ),
        # "... while citizen observers were present in 85 per cent of the observed polling
        # stations."
        Item(
            "citizen_observers_present",
            Text(
                "Were citizen observers present?",
                "Присутствовали ли гражданские наблюдатели (от общественных объединений)?",
                "Азаматтық байқаушылар (қоғамдық бірлестіктерден) қатысты ма?",
            ),
            problem="",
            section="transparency",
        ),
        # "Nevertheless, observers did not have a clear view of the voting procedures in
        # 7 per cent ..."
        Item(
            "clear_view",
            Text(
                "Did observers have a clear view of the voting procedures?",
                "Могли ли наблюдатели беспрепятственно видеть процедуры голосования?",
                "Байқаушыларға дауыс беру рәсімдері анық көрінді ме?",
            ),
            problem="no",
            section="transparency",
        ),
        # "... and ODIHR observers were restricted in their activities in 5 per cent of the
        # polling stations observed."
        Item(
            "observers_restricted",
            Text(
                "Were you (the ODIHR observers) restricted in your observation?",
                "Ограничивалась ли ваша (наблюдателей БДИПЧ ОБСЕ) деятельность по наблюдению?",
                "Сіздің (ЕҚЫҰ ДИАБ байқаушыларының) бақылау жүргізуіңізге шектеу қойылды ма?",
            ),
            problem="yes",
            section="transparency",
        ),
        # "... independent access for people with physical disabilities was not ensured in
        # 28 per cent of polling stations observed ..."
        Item(
            "independent_access",
            Text(
                "Was independent access ensured for persons with physical disabilities?",
                "Был ли обеспечен самостоятельный доступ для лиц с физическими ограничениями?",
                "Дене мүмкіндігі шектеулі адамдардың өз бетімен кіруі қамтамасыз етілді ме?",
            ),
            problem="no",
            section="accessibility",
        ),
        # "... the layout was not suitable ..." (Added; optional.)
        Item(
            "layout_suitable",
            Text(
                "Was the layout suitable for voters with disabilities?",
                "Подходила ли планировка помещения для избирателей с инвалидностью?",
                "Үй-жайдың орналасуы мүгедектігі бар сайлаушыларға қолайлы болды ма?",
            ),
            problem="no",
            section="accessibility",
            required=False,
        ),
        # "... and polling stations were not equipped with specific accessories, including a
        # Braille sleeve, in 6 per cent of observations."
        Item(
            "braille_sleeve",
            Text(
                "Was the polling station equipped with a Braille ballot sleeve?",
                "Был ли избирательный участок оснащён трафаретом для голосования со шрифтом "
                "Брайля?",
                "Сайлау учаскесі Брайль қарпі бар дауыс беруге арналған трафаретпен "
                "жабдықталды ма?",
            ),
            problem="no",
            section="accessibility",
        ),
        # "The vast majority of PEC members in the polling stations observed were women,
        # including chairpersons (63 per cent)."
        Item(
            "chair_gender",
            Text(
                "Gender of the PEC chairperson",
                "Пол председателя участковой избирательной комиссии",
                "Учаскелік сайлау комиссиясы төрағасының жынысы",
            ),
            problem="",
            section="commission",
            type="select_one gender",
        ),
        # "The ODIHR EOM assessed the voting process positively in 95 per cent of the 1,131
        # observations."
        overall(
            Text(
                "Overall assessment of the voting process",
                "Общая оценка процесса голосования",
                "Дауыс беру процесіне жалпы баға",
            )
        ),
    ),
)

# --- counting ---------------------------------------------------------------------------------

COPIED = "${protocol_copy} = 'yes'"


def protocol_copy_items() -> tuple[Item, ...]:
    """One integer question per line of the PEC results protocol, labelled as on the form.

    "... raising serious questions about whether ballots were counted and reported honestly":
    the copied figures are compared with the results the election administration publishes.
    """
    profile, _ = read_profile(shipped_profile_path(PROFILE))
    items = []
    for line in profile.lines:
        if line.candidate:
            person = profile.candidate(line.candidate)
            label = Text(
                f"{line.no}. Votes for candidate {person.name_in('en')}",
                f"{line.no}. Число голосов за кандидата: {person.name_in('ru')}",
                f"{line.no}. Кандидат үшін берілген дауыстар саны: {person.name_in('kk')}",
            )
        else:
            label = Text(*(f"{line.no}. {line.label[lang]}" for lang in ("en", "ru", "kk")))
        items.append(
            Item(
                f"copy_{line.code}",
                label,
                section="protocol_copy",
                type="integer",
                relevant=COPIED,
                constraint=". >= 0",
            )
        )
    return tuple(items)


# Section XIII: "the number of ballots from all ballot boxes was higher than the number of
# voters' signatures in the voter list in 13 cases": the copied protocol's own arithmetic, checked
# on every copy (a broken relation in a copy is a finding, or a copying error to ask the team).
COUNTING_CHECKS = (
    QualityCheck(
        "copy_boxes_balance",
        "${copy_ballots_found} = ${copy_valid} + ${copy_invalid}",
        Text(
            "Copied protocol: ballots found in the boxes = valid + invalid",
            "Копия протокола: бюллетени в урнах = действительные + недействительные",
            "Хаттама көшірмесі: жәшіктердегі бюллетеньдер = жарамды + жарамсыз",
        ),
    ),
    QualityCheck(
        "copy_votes_balance",
        "${copy_abden} + ${copy_auesbayev} + ${copy_dayrabayev} + ${copy_kazhyken}"
        " + ${copy_tokayev} + ${copy_tursynbekova} + ${copy_against_all} = ${copy_valid}",
        Text(
            "Copied protocol: votes for the candidates and against all = valid ballots",
            "Копия протокола: голоса за кандидатов и против всех = действительные бюллетени",
            "Хаттама көшірмесі: кандидаттарға және барлығына қарсы дауыстар = жарамды бюллетеньдер",
        ),
    ),
    QualityCheck(
        "copy_boxes_not_above_issued",
        "${copy_ballots_found} <= ${copy_ballots_issued_station} + ${copy_ballots_issued_mobile}",
        Text(
            "Copied protocol: ballots found in the boxes do not exceed ballots issued",
            "Копия протокола: бюллетеней в урнах не больше, чем выдано",
            "Хаттама көшірмесі: жәшіктердегі бюллетеньдер берілгеннен аспайды",
        ),
    ),
    QualityCheck(
        "copy_issued_not_above_list",
        "${copy_ballots_issued_station} + ${copy_ballots_issued_mobile}"
        " <= ${copy_voters_on_list} + ${copy_voters_added}",
        Text(
            "Copied protocol: ballots issued do not exceed voters on the list",
            "Копия протокола: выдано бюллетеней не больше, чем избирателей в списке",
            "Хаттама көшірмесі: берілген бюллетеньдер тізімдегі сайлаушылардан аспайды",
        ),
    ),
)


COUNTING = Checklist(
    "counting",
    Text("Counting of votes", "Подсчёт голосов", "Дауыстарды санау"),
    "pec",
    (
        # "... citizen observers did not have a clear view of counting procedures in 47 cases
        # ..."
        Item(
            "clear_view",
            Text(
                "Did observers have a clear view of the counting procedures?",
                "Могли ли наблюдатели беспрепятственно видеть процедуры подсчёта голосов?",
                "Байқаушыларға дауыстарды санау рәсімдері анық көрінді ме?",
            ),
            problem="no",
            section="transparency",
        ),
        # "The ODIHR observers were restricted in observing counting procedures in more than
        # one-third of polling stations visited ..."
        Item(
            "observers_restricted",
            Text(
                "Were you (the ODIHR observers) restricted in observing the count?",
                "Ограничивалась ли ваша (наблюдателей БДИПЧ ОБСЕ) возможность наблюдать за "
                "подсчётом голосов?",
                "Сіздің (ЕҚЫҰ ДИАБ байқаушыларының) дауыстарды санауды бақылауыңызға шектеу "
                "қойылды ма?",
            ),
            problem="yes",
            section="transparency",
        ),
        # "... and the counting was poorly organized in 47 cases."
        Item(
            "poorly_organized",
            Text(
                "Was the counting poorly organized?",
                "Был ли подсчёт голосов плохо организован?",
                "Дауыстарды санау нашар ұйымдастырылды ма?",
            ),
            problem="yes",
            section="procedures",
        ),
        # "In more than half of the polling stations observed, the counting procedures were not
        # consistently followed ..."
        Item(
            "procedures_followed",
            Text(
                "Were the counting procedures followed consistently?",
                "Последовательно ли соблюдались процедуры подсчёта голосов?",
                "Дауыстарды санау рәсімдері жүйелі түрде сақталды ма?",
            ),
            problem="no",
            section="procedures",
        ),
        # "... failing to announce the voters' choice for each ballot (88 cases) ..."
        Item(
            "choice_announced",
            Text(
                "Was the voter's choice on each ballot announced aloud?",
                "Оглашалось ли вслух волеизъявление избирателя по каждому бюллетеню?",
                "Әр бюллетень бойынша сайлаушының таңдауы дауыстап жарияланды ма?",
            ),
            problem="no",
            section="reconciliation",
        ),
        # "... the total number of voters on the voter list (72 cases) ..."
        Item(
            "list_total_announced",
            Text(
                "Was the total number of voters on the voter list announced?",
                "Было ли оглашено общее число избирателей, внесённых в список избирателей?",
                "Сайлаушылар тізіміне енгізілген сайлаушылардың жалпы саны жарияланды ма?",
            ),
            problem="no",
            section="reconciliation",
        ),
        # "... and to determine the number of ballots issued based on signatures in the voter
        # list (71 cases)."
        Item(
            "issued_from_signatures",
            Text(
                "Was the number of ballots issued determined from the signatures on the voter "
                "list?",
                "Было ли число выданных бюллетеней установлено по подписям в списке избирателей?",
                "Берілген бюллетеньдер саны сайлаушылар тізіміндегі қолтаңбалар бойынша "
                "анықталды ма?",
            ),
            problem="no",
            section="reconciliation",
        ),
        # "Ballots were not counted before being sorted by candidates in 67 cases ..."
        Item(
            "counted_before_sorting",
            Text(
                "Were the ballots counted before being sorted by candidate?",
                "Были ли бюллетени пересчитаны до их сортировки по кандидатам?",
                "Бюллетеньдер кандидаттар бойынша сұрыпталғанға дейін саналды ма?",
            ),
            problem="no",
            section="reconciliation",
        ),
        # "... and the number of ballots from all ballot boxes was higher than the number of
        # voters' signatures in the voter list in 13 cases."
        Item(
            "boxes_above_signatures",
            Text(
                "Were there more ballots in the ballot boxes than voters' signatures on the voter "
                "list?",
                "Было ли число бюллетеней в урнах для голосования больше числа подписей "
                "избирателей в списке?",
                "Сайлау жәшіктеріндегі бюллетеньдер саны сайлаушылар тізіміндегі қолтаңбалар "
                "санынан көп болды ма?",
            ),
            problem="yes",
            section="reconciliation",
        ),
        # "In more than half of the observations, ODIHR observers could not see voters' marks on
        # the ballots."
        Item(
            "marks_visible",
            Text(
                "Could observers see the voters' marks on the ballots?",
                "Могли ли наблюдатели видеть отметки избирателей в бюллетенях?",
                "Байқаушылар бюллетеньдердегі сайлаушылардың белгілерін көре алды ма?",
            ),
            problem="no",
            section="transparency",
        ),
        # "PEC members did not determine the validity of ballots in a reasonable and consistent
        # manner in 34 and 30 cases, respectively."
        Item(
            "validity_reasonable",
            Text(
                "Was the validity of ballots determined in a reasonable manner?",
                "Обоснованно ли определялась действительность бюллетеней?",
                "Бюллетеньдердің жарамдылығы негізді түрде анықталды ма?",
            ),
            problem="no",
            section="validity",
        ),
        Item(
            "validity_consistent",
            Text(
                "Was the validity of ballots determined consistently?",
                "Единообразно ли определялась действительность бюллетеней?",
                "Бюллетеньдердің жарамдылығы біркелкі анықталды ма?",
            ),
            problem="no",
            section="validity",
        ),
        # "The results protocols were not filled in completely and in pen (24 cases) ..."
        Item(
            "protocol_in_pen",
            Text(
                "Was the results protocol filled in completely and in pen?",
                "Был ли протокол об итогах голосования заполнен полностью и ручкой?",
                "Дауыс беру қорытындылары туралы хаттама толық және қаламсаппен толтырылды ма?",
            ),
            problem="no",
            section="protocol",
        ),
        # "... and the entered figures were not announced aloud (60 cases)."
        Item(
            "figures_announced",
            Text(
                "Were the figures entered in the protocol announced aloud?",
                "Были ли внесённые в протокол данные оглашены вслух?",
                "Хаттамаға енгізілген сандар дауыстап жарияланды ма?",
            ),
            problem="no",
            section="protocol",
        ),
        # "In 33 cases, signed protocols were not posted for public display."
        Item(
            "protocol_posted",
            Text(
                "Was the signed protocol posted for public display?",
                "Был ли подписанный протокол вывешен для всеобщего ознакомления?",
                "Қол қойылған хаттама көпшілік танысуы үшін ілінді ме?",
            ),
            problem="no",
            section="protocol",
        ),
        # "... raising serious questions about whether ballots were counted and reported
        # honestly ..." (information: the observers' copy of the figures, compared later).
        Item(
            "protocol_copy",
            Text(
                "Did you copy the figures of the signed protocol?",
                "Переписали ли вы данные подписанного протокола?",
                "Қол қойылған хаттаманың деректерін көшіріп алдыңыз ба?",
            ),
            problem="",
            section="protocol_copy",
        ),
        *protocol_copy_items(),
        # "The ODIHR EOM assessed counting negatively in 65 of the 110 polling stations
        # observed ..."
        overall(
            Text(
                "Overall assessment of the counting",
                "Общая оценка подсчёта голосов",
                "Дауыстарды санауға жалпы баға",
            )
        ),
    ),
    checks=COUNTING_CHECKS,
)

# --- tabulation -------------------------------------------------------------------------------

TABULATION = Checklist(
    "tabulation",
    Text(
        "Tabulation at the territorial election commission",
        "Подведение итогов в территориальной избирательной комиссии",
        "Аумақтық сайлау комиссиясында қорытындыларды шығару",
    ),
    "tec",
    (
        # "... PECs completing protocols at the TEC premises (15 cases) ..."
        Item(
            "pecs_completing_at_tec",
            Text(
                "Were PECs completing their protocols at the TEC premises?",
                "Заполняли ли участковые избирательные комиссии протоколы в помещении "
                "территориальной избирательной комиссии?",
                "Учаскелік сайлау комиссиялары хаттамаларды аумақтық сайлау комиссиясының "
                "үй-жайында толтырды ма?",
            ),
            problem="yes",
            section="procedures",
        ),
        # "... and modifying voting protocols without a prior formal decision by the TEC
        # (5 cases)."
        Item(
            "modified_without_decision",
            Text(
                "Were protocols modified without a prior formal decision of the TEC?",
                "Изменялись ли протоколы без предварительного официального решения "
                "территориальной избирательной комиссии?",
                "Хаттамаларға аумақтық сайлау комиссиясының алдын ала ресми шешімінсіз өзгерістер "
                "енгізілді ме?",
            ),
            problem="yes",
            section="procedures",
        ),
        # "The conditions were inadequate for reception and tabulation of voting protocols in
        # 18 observed TECs due to poor organization and insufficient space ..."
        Item(
            "inadequate_conditions",
            Text(
                "Were the conditions inadequate for receiving and tabulating protocols (poor "
                "organization, insufficient space)?",
                "Были ли условия для приёма протоколов и подведения итогов неудовлетворительными "
                "(плохая организация, нехватка места)?",
                "Хаттамаларды қабылдау және қорытындыларды шығару жағдайлары жеткіліксіз болды ма "
                "(нашар ұйымдастыру, орын тапшылығы)?",
            ),
            problem="yes",
            section="conditions",
        ),
        # "... and in 9 TECs due to overcrowding."
        Item(
            "overcrowding",
            Text(
                "Were the TEC premises overcrowded?",
                "Было ли помещение территориальной избирательной комиссии переполнено?",
                "Аумақтық сайлау комиссиясының үй-жайы адамға лық толы болды ма?",
            ),
            problem="yes",
            section="conditions",
        ),
        # "In 14 observed TECs ODIHR observers were denied access ..."
        Item(
            "observers_denied_access",
            Text(
                "Were you (the ODIHR observers) denied access to the TEC?",
                "Было ли вам (наблюдателям БДИПЧ ОБСЕ) отказано в доступе в территориальную "
                "избирательную комиссию?",
                "Сізді (ЕҚЫҰ ДИАБ байқаушыларын) аумақтық сайлау комиссиясына кіргізуден бас "
                "тартты ма?",
            ),
            problem="yes",
            section="transparency",
        ),
        # "... and in 5 cases were informed that the tabulation would take place at the regional
        # level TEC or the CEC."
        Item(
            "told_elsewhere",
            Text(
                "Were you told that the tabulation would take place at a higher commission (the "
                "regional TEC or the CEC)?",
                "Сообщили ли вам, что подведение итогов будет проходить в вышестоящей комиссии "
                "(областной ТИК или ЦИК)?",
                "Сізге қорытындыларды шығару жоғары тұрған комиссияда (облыстық АСК-да немесе "
                "ОСК-да) өтетінін хабарлады ма?",
            ),
            problem="yes",
            section="transparency",
        ),
        # "In one-third of the cases, ODIHR observers could not observe the tabulation
        # procedures unrestricted."
        Item(
            "restricted",
            Text(
                "Were you restricted in observing the tabulation?",
                "Ограничивалась ли ваша возможность наблюдать за подведением итогов?",
                "Қорытындыларды шығаруды бақылау мүмкіндігіңіз шектелді ме?",
            ),
            problem="yes",
            section="transparency",
        ),
        # "Tabulation was assessed negatively in 30 out of the 96 TECs observed ..."
        overall(
            Text(
                "Overall assessment of the tabulation",
                "Общая оценка подведения итогов",
                "Қорытындыларды шығаруға жалпы баға",
            )
        ),
    ),
)

CHECKLISTS: tuple[Checklist, ...] = (OPENING, VOTING, COUNTING, TABULATION)


# --- writing ----------------------------------------------------------------------------------


def _sheet(workbook: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[str]]):
    sheet = workbook.create_sheet(title)
    sheet.append(list(header))
    for row in rows:
        sheet.append([cell if cell != "" else None for cell in row])
    sheet.freeze_panes = "A2"
    return sheet


def workbook_of(checklist: Checklist) -> Workbook:
    """The XLSForm workbook of one checklist: survey, choices and settings sheets."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(workbook, "survey", SURVEY_COLUMNS, (item.cells() for item in checklist.items))
    choice_rows = (
        (list_name, name, *label.cells())
        for list_name in LISTS[checklist.code]
        for name, label in CHOICES[list_name]
    )
    _sheet(workbook, "choices", CHOICE_COLUMNS, choice_rows)
    settings = (
        checklist.code,
        VERSION,
        *checklist.title.cells(),
        DEFAULT_LANGUAGE,
        checklist.level,
    )
    _sheet(workbook, "settings", SETTINGS_COLUMNS, [settings])
    if checklist.checks:
        _sheet(workbook, "saylau_checks", CHECK_COLUMNS, (c.cells() for c in checklist.checks))
    workbook.properties.creator = "saylau forms/make_forms.py"
    workbook.properties.created = FIXED_DATE
    workbook.properties.modified = FIXED_DATE
    return workbook


class _StableZip(zipfile.ZipFile):
    """A zip whose entries carry a fixed timestamp, so equal content gives equal bytes.

    openpyxl adds parts with writestr() (stamped with the current time) and worksheets with
    write() from a temporary file (stamped with its mtime); both are routed to a fixed time.
    """

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):  # type: ignore[override]
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):  # type: ignore[override]
        data = Path(filename).read_bytes()
        self.writestr(str(arcname or Path(filename).name), data, compress_type, compresslevel)


def xlsx_bytes(workbook: Workbook) -> bytes:
    """The workbook's file content; openpyxl's own save() would stamp the current time."""
    buffer = io.BytesIO()
    with _StableZip(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    return buffer.getvalue()


def write_forms(out: Path) -> list[Path]:
    """Write the four checklists into `out`; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for checklist in CHECKLISTS:
        path = out / f"{checklist.code}.xlsx"
        path.write_bytes(xlsx_bytes(workbook_of(checklist)))
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent, help="directory to write"
    )
    args = parser.parse_args(argv)
    for path in write_forms(args.out):
        print(path)


if __name__ == "__main__":
    main()
