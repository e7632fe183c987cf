"""The words in the demo's supervision bookings: agendas, reasons, cover notes and session records.

Like the demo reflections, nothing here identifies anyone: no names of clients, no places they
live, no dates of birth, numbers or addresses. Nia's text is in Welsh, as she writes.
"""
from __future__ import annotations

from dataclasses import dataclass

# Where the group peer-supervision sessions meet (community venues, not anyone's home).
OGMORE_VENUE = "Ogmore Vale Community Hall, Commercial Street, Ogmore Vale, Bridgend CF32 7BL"
TEIFI_VENUE = "Neuadd y Farchnad, Stryd Fawr, Llandysul, Ceredigion SA44 4QS"

COVER_NOTES = {
    "supervisor@example.org": "On leave. Bethan Howells covers urgent supervision requests while I am away.",
    "senior@example.org": "On leave. Dr Rhodri Evans covers urgent supervision requests.",
    "bethan.howells@ogmore.example.org": "At a conference. Owain Davies covers urgent supervision requests.",
    "mererid.hopkin@teifi.example.org": "Ar wyliau. Mae Dr Rhodri Evans yn cyflenwi ar gyfer ceisiadau brys.",
}


@dataclass(frozen=True)
class DemoRecord:
    normative: str
    formative: str
    restorative: str
    actions: str


# Carys's past one-to-one sessions with Dr Rhodri Evans, oldest first.
CARYS_RECORDS = [
    DemoRecord(
        normative="We went through the referral pathway from the GP practices and checked that Carys "
                  "knows when to pass a concern to the safeguarding lead. She does, and has done so "
                  "correctly this month.",
        formative="Carys is building her list of local groups. We talked about matching people to groups "
                  "by what they enjoy, not only by what is nearby.",
        restorative="A heavy caseload after a colleague left. Carys has been working through lunch; we "
                    "agreed that is not sustainable.",
        actions="Take a proper lunch break at least three days a week\n"
                "Ask the team leader how the vacant post will be covered",
    ),
    DemoRecord(
        normative="We reviewed the lone working policy before the home visits start. Carys will use the "
                  "buddy check-in every time.",
        formative="Practising how to end a long call kindly. We role-played two openings that set the "
                  "time at the start.",
        restorative="Carys felt guilty saying no to someone who wanted her personal number. We talked "
                    "about guilt as a sign of caring, not of doing something wrong.",
        actions="Use the work phone only, and say so at the first meeting\n"
                "Try the new opening for calls for a fortnight",
    ),
    DemoRecord(
        normative="No safeguarding concerns this time. Records are up to date.",
        formative="The walking group is growing. We talked about asking a regular walker to co-lead, "
                  "and what support a volunteer would need.",
        restorative="Carys is proud of the group and sleeping better. Lunch breaks are happening most days.",
        actions="Ask a regular walker whether they would co-lead over the winter\n"
                "Bring a first draft of the volunteer role description",
    ),
]

CARYS_AGENDA = ("- Talk about guilt and boundaries\n"
                "- Practise a kind way to end a call\n"
                "- The volunteer role description for the walking group")
CARYS_REQUEST_AGENDA = "- Referring earlier to the welfare rights team\n- Planning for the winter months"
# The one session Carys missed, long ago: the reason she gave her supervisor afterwards.
CARYS_NO_SHOW_NOTE = "Carys was called to an urgent visit and could not let me know in time."
GROUP_AGENDA = "- Sharing what helps when a referral feels like the wrong fit"

NIA_RECORD = DemoRecord(
    normative="Buon ni'n trafod y polisi gweithio ar eich pen eich hun cyn ymweliadau â ffermydd "
              "anghysbell. Mae Nia yn gwybod pwy i'w ffonio os bydd pryder diogelu.",
    formative="Mae Nia yn dysgu am y cynllun ceir cymunedol a'r clwb cinio. Siaradon ni am sut i "
              "rannu gwybodaeth ymarferol yn gynnar.",
    restorative="Roedd Nia wedi blino ar ôl wythnos o deithio. Cytunon ni y dylai hi gymryd egwyl ginio "
                "bob dydd.",
    actions="Holi am y cynllun ceir cymunedol\nCymryd egwyl ginio bob dydd",
)
NIA_AGENDA = ("- Sut i orffen ymweliad cartref pan fydd rhywun yn unig\n"
              "- Gwybodaeth am drafnidiaeth yng nghefn gwlad")
NIA_PROPOSAL_AGENDA = "- Sgwrs anodd am ddyledion ynni\n- Gofalu amdanaf fy hun"
NIA_PROPOSAL_REASON = ("Mae'n ddrwg gen i, mae gen i gyfarfod tîm ar yr amser hwnnw. "
                       "A fyddai'r amser hwn yn gyfleus?")


def all_texts() -> list[str]:
    """Every piece of free text the demo writes into bookings, for the identifier test."""
    records = [*CARYS_RECORDS, NIA_RECORD]
    return [
        *COVER_NOTES.values(), CARYS_AGENDA, CARYS_REQUEST_AGENDA, CARYS_NO_SHOW_NOTE, GROUP_AGENDA,
        NIA_AGENDA, NIA_PROPOSAL_AGENDA, NIA_PROPOSAL_REASON,
        *(text for record in records
          for text in (record.normative, record.formative, record.restorative, record.actions)),
    ]
