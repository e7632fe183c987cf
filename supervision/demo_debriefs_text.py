"""The words in the demo's debrief requests: descriptions, a reason for declining, outcome notes and
the employers' support contacts.

Like the other demo texts, nothing here identifies a client: no names or initials, no places they
live, no dates, numbers or addresses. The people supported are "someone" or "the person", as a
careful practitioner writes when the text may be read by others. Nia and Mererid write in Welsh.
"""
from __future__ import annotations

# Carys: a client's death this morning, waiting in Dr Rhodri Evans's queue.
CARYS_TODAY = (
    "I heard this morning that someone I have supported for several months has died. It was sudden, and I "
    "saw them only last week, when they seemed brighter than they had for a long time. I keep going over our "
    "last conversation. I have two more appointments this afternoon and I am not sure I should go on my own. "
    "I would like to talk to someone today if that is possible."
)
# Carys: a threat on a home visit, accepted, with a debrief booked.
CARYS_BOOKED = (
    "On a home visit yesterday a relative of the person I support became angry about a benefits decision and "
    "shouted at me in the hallway, standing between me and the door. I left calmly, used the buddy check-in "
    "and told my team leader, as the lone working policy asks. Nobody was hurt. I am fine during the day, but "
    "I am sleeping badly and I feel anxious about the next visit."
)
# Carys: a safeguarding concern, talked through by phone; she felt better three days later.
CARYS_COMPLETED = (
    "During a routine call, someone told me that a family member takes their money and stops them seeing "
    "friends. I followed the safeguarding procedure and the referral was made the same day. I know I did the "
    "right thing, but I keep wondering whether I missed the signs earlier, and the conversation has stayed "
    "with me."
)
CARYS_COMPLETED_NOTES = (
    "We talked for forty minutes by phone. Carys acted quickly and by the book, and the referral was the right "
    "step. We talked about how hindsight makes signs look clearer than they were at the time. Carys will take "
    "a short break after difficult calls, and we will come back to this at her next supervision."
)
# Carys: a distressing disclosure, declined with the employee assistance programme offered instead.
CARYS_DECLINED = (
    "Someone told me in detail about abuse they went through as a child. I listened, and made sure they knew "
    "where to find specialist support. It was a long session and some of what they described has stayed with "
    "me at night."
)
CARYS_DECLINE_REASON = (
    "I am on a training course for the rest of this week and did not want you to wait for me. The employee "
    "assistance programme has trained counsellors who can talk this through with you in the next day or two, "
    "free and in confidence. Let's still make time for it at your next supervision."
)
# Another Ogmore link worker: a request nobody accepted in time, so the admin was told one is waiting.
ESCALATED = (
    "A piece of work I put a lot into ended badly this week: the person decided to stop seeing me, and said "
    "some hurtful things as they left. Nothing urgent, but I would like to talk it through with someone when "
    "there is time."
)
# Nia, in Welsh: a concern about suicide, talked through with Mererid Hopcyn by phone.
NIA = (
    "Ddoe, yn ystod ymweliad cartref, dywedodd rhywun rwy'n ei gefnogi nad oedd yn gweld pwynt byw rhagor. "
    "Arhosais gyda'r person, ffoniais y tîm argyfwng iechyd meddwl a dilynais y polisi diogelu. Mae'r person "
    "yn ddiogel erbyn hyn, ond alla i ddim stopio meddwl am y sgwrs, ac rwy'n poeni a wnes i bopeth yn iawn."
)
NIA_NOTES = (
    "Buon ni'n siarad am awr ar y ffôn. Gwnaeth Nia bopeth yn iawn: arhosodd hi gyda'r person, cafodd hi help "
    "a dilynodd hi'r polisi. Cytunon ni y bydd hi'n cymryd seibiant ar ôl ymweliadau anodd, ac y bydd hi'n fy "
    "ffonio os daw'r meddyliau'n ôl. Soniais i hefyd am y rhaglen cymorth i weithwyr a'r llinell wrando."
)

# Each organisation's employee assistance programme and occupational health, as its admin would
# write them (organisation name: (EAP English, EAP Welsh, OH English, OH Welsh)).
CONTACTS = {
    "Ogmore Valleys Community Connectors": (
        "Health Assured: 0800 030 5182, free, 24 hours a day. Confidential counselling and advice for you "
        "and your family.",
        "Health Assured: 0800 030 5182, am ddim, 24 awr y dydd. Cwnsela a chyngor cyfrinachol i chi a'ch "
        "teulu.",
        "Occupational health: ask your team leader to refer you, or email "
        "occupational.health@ogmore.example.org. We aim to reply within 5 working days.",
        "Iechyd galwedigaethol: gofynnwch i arweinydd eich tîm eich cyfeirio, neu anfonwch e-bost at "
        "occupational.health@ogmore.example.org. Rydym yn anelu at ateb o fewn 5 diwrnod gwaith.",
    ),
    "Teifi Valley Primary Care Cluster": (
        "Health Assured: 0800 030 5182, free, 24 hours a day. Confidential counselling, and advice on money, "
        "work and family.",
        "Health Assured: 0800 030 5182, am ddim, 24 awr y dydd. Cwnsela cyfrinachol, a chyngor am arian, "
        "gwaith a theulu.",
        "Occupational health at the health board: your practice manager can refer you, or you can refer "
        "yourself by email at iechyd.galwedigaethol@teifi.example.org.",
        "Iechyd galwedigaethol y bwrdd iechyd: gall rheolwr eich practis eich cyfeirio, neu gallwch eich "
        "cyfeirio eich hun drwy e-bost at iechyd.galwedigaethol@teifi.example.org.",
    ),
}


def all_texts() -> list[str]:
    """What the demo writes into debrief requests, for the client-identifier test. The contacts
    are the employer's own numbers and addresses, not a client's, so they are not here."""
    return [CARYS_TODAY, CARYS_BOOKED, CARYS_COMPLETED, CARYS_COMPLETED_NOTES, CARYS_DECLINED,
            CARYS_DECLINE_REASON, ESCALATED, NIA, NIA_NOTES]
