"""Spotting likely client identifiers in free text: what is flagged, what is not, and how."""
from datetime import date

import pytest
from flask_babel import LazyString

from supervision.identifiers import (
    HELPLINE_NUMBERS,
    KIND_LABELS,
    Finding,
    Kind,
    find_identifiers,
)

TODAY = date(2026, 3, 20)


def found(*texts, today=TODAY):
    return [(f.kind, f.text) for f in find_identifiers(*texts, today=today)]


def kinds(*texts, today=TODAY):
    return {f.kind for f in find_identifiers(*texts, today=today)}


# NHS numbers


@pytest.mark.parametrize("number", ["943 476 5919", "943-476-5919", "9434765919"])
def test_a_valid_nhs_number_is_flagged_however_it_is_grouped(number):
    assert found(f"Her NHS number is {number}.") == [(Kind.nhs_number, number)]


@pytest.mark.parametrize("number", ["9434765918", "943 476 5918", "4010232136"])
def test_a_ten_digit_number_that_fails_the_check_is_not_an_nhs_number(number):
    assert found(f"Reference {number} on the form") == []


def test_a_number_whose_check_would_be_ten_is_never_valid():
    # 943476596: 90+36+24+28+42+30+20+27+12 = 309, 309 % 11 = 1, 11 - 1 = 10.
    assert all(found(f"ref 943476596{d}") == [] for d in "0123456789")


def test_placeholder_numbers_of_one_repeated_digit_are_not_nhs_numbers():
    # 0000000000 and 1111111111 pass the arithmetic but are what people type as a placeholder.
    assert found("0000000000 1111111111") == []


def test_digits_inside_a_longer_number_are_not_an_nhs_number():
    assert found("order 19434765919 and 94347659190") == []


def test_mixed_separators_are_not_an_nhs_number():
    assert found("943 476-5919") == []


def test_a_valid_checksum_makes_a_ten_digit_number_an_nhs_number_before_a_phone_number():
    # 0800100018 passes the check; 0800100017 does not, so it can only be a freephone number.
    assert found("0800100018 and 0800100017") == [
        (Kind.nhs_number, "0800100018"), (Kind.phone, "0800100017")]


# Postcodes


@pytest.mark.parametrize("postcode", [
    "CF10 3NQ", "SA1 1AA", "LL57 2PW", "SW1A 1AA", "W1A 0AX", "M1 1AE", "B33 8TH", "CR2 6XH",
    "DN55 1PT", "EC1A 1BB", "cf103nq", "cf10 3nq", "Cf10 3NQ", "GIR 0AA", "gir0aa",
])
def test_full_postcodes_are_flagged_as_written(postcode):
    assert found(f"She lives at {postcode}, near the park.") == [(Kind.postcode, postcode)]


@pytest.mark.parametrize("text", [
    "We met in AB12 last week.",  # an outward code alone
    "Room B2 1st floor",  # an ordinal, not an inward code
    "Junction M4 5th exit",
    "Key stage KS2 3rd year",
    "QA1 1AA",  # Q cannot start a postcode
    "CF10 3CI",  # C and I never appear in an inward code
    "Met at 3pm and again at 2am in block A1.",
    "covid19 2nd wave",
    "Ysgrifennais am y cyfarfod gyda'r tîm, a oedd yn ddefnyddiol iawn.",
    "XCF10 3NQ",  # part of a longer word
    "CF10 3NQX",
])
def test_things_that_are_not_postcodes_are_not_flagged(text):
    assert Kind.postcode not in kinds(text)


# Dates of birth


@pytest.mark.parametrize("text, date_text", [
    # Recent years, which would not be flagged without the cue (a child's birth date, say).
    ("DOB 12/03/2019", "12/03/2019"),
    ("D.O.B.: 12-03-19", "12-03-19"),
    ("dob - 12.3.2019", "12.3.2019"),
    ("DoB 12/03/85", "12/03/85"),
    ("Date of birth: 12 March 2019", "12 March 2019"),
    ("date of birth is 12th March 2019", "12th March 2019"),
    ("She was born on the 12th of March 2019.", "12th of March 2019"),
    ("born March 12 2019", "March 12 2019"),
    ("Born: March 12th, 2019", "March 12th, 2019"),
    ("born 2019-03-12", "2019-03-12"),
    ("Dyddiad geni: 12/03/2019", "12/03/2019"),
    ("Ganwyd hi ar 12fed o Fawrth 2019", "12fed o Fawrth 2019"),
    ("ganwyd ar 12 Mawrth 2019", "12 Mawrth 2019"),
    ("her son (DOB 01/02/2019) was with her", "01/02/2019"),
    ("born 3 Jan 2020", "3 Jan 2020"),
])
def test_a_date_after_a_birth_cue_is_flagged(text, date_text):
    assert found(text) == [(Kind.date_of_birth, date_text)]


@pytest.mark.parametrize("text", [
    "On 12/03/2026 I met a client who was struggling.",
    "Follow-up on 2026-04-01, then 1 April 2026.",
    "We first met on 14/02/2019 and she has come every month since.",
    "The group began on 21 March 2010.",  # a day short of sixteen years before TODAY
    "Met 12/03/26 at the surgery.",  # a two-digit year is never enough without a cue
])
def test_recent_dates_of_practice_are_not_flagged(text):
    assert found(text) == []


@pytest.mark.parametrize("date_text", [
    "12/03/1985", "12.3.1985", "1985-03-12", "12 March 1985", "March 12 1985", "20/03/2010",
])
def test_an_uncued_full_date_at_least_sixteen_years_ago_is_flagged(date_text):
    assert found(f"Notes mention {date_text} in passing") == [(Kind.date_of_birth, date_text)]


def test_the_sixteen_year_line_moves_with_today():
    text = "Something happened on 21/03/2010."
    assert found(text, today=date(2026, 3, 20)) == []
    assert found(text, today=date(2026, 3, 21)) == [(Kind.date_of_birth, "21/03/2010")]


def test_a_leap_day_today_does_not_break_the_sixteen_year_line():
    assert found("on 28/02/2008", today=date(2024, 2, 29)) == [(Kind.date_of_birth, "28/02/2008")]


def test_uncued_dates_before_1900_are_history_not_birth_dates():
    assert found("The chapel was built on 12/03/1885.") == []


@pytest.mark.parametrize("text", [
    "DOB 31/02/1985",  # no such day
    "born 13/13/1985",  # no such month either way round
    "DOB 1.2.3.4",  # a version number
    "born on 12/03/1985/7",
])
def test_impossible_or_non_date_numbers_are_not_dates_of_birth(text):
    assert Kind.date_of_birth not in kinds(text)


def test_a_us_order_date_after_a_cue_still_counts():
    assert found("DOB 03/25/1985") == [(Kind.date_of_birth, "03/25/1985")]


def test_a_cue_far_away_from_the_date_does_not_count():
    text = "Born in Cardiff, she moved around a great deal in her twenties; on 12/03/2026 we met."
    assert found(text) == []


def test_newborn_is_not_a_cue():
    assert found("A newborn 02/03/2026 arrived") == []


# Phone numbers


@pytest.mark.parametrize("number", [
    "07700 900123", "07700900123", "07700-900-123", "(029) 2018 3456", "029 2018 3456",
    "02920183456", "(01248) 382000", "0300 123 4567", "+44 7700 900123",
    "+447700900123", "+44 (0)29 2018 3456", "+44(0)7700 900123", "0044 7700 900123",
    "0800 123 4567", "0808 123456", "0113 496 0000",
])
def test_uk_phone_numbers_are_flagged_as_written(number):
    assert found(f"Her number is {number}, call after five.") == [(Kind.phone, number)]


@pytest.mark.parametrize("text", [
    "I suggested she ring Samaritans on 116 123.",
    "She called 111 overnight.",
    "CALL helpline 0800 132 737 is open all day.",
    "Samaritans Welsh line: 0808 164 0123",
    "Mind Infoline 0300 123 3393",
    "CALM on 0800 58 58 58",
    "Or +44 808 164 0123",
])
def test_national_helplines_the_service_shows_are_not_flagged(text):
    assert found(text) == []


def test_every_helpline_is_held_as_national_digits():
    assert all(number.isdigit() for number in HELPLINE_NUMBERS)
    assert {"116123", "111", "0800132737"} <= HELPLINE_NUMBERS


@pytest.mark.parametrize("text", [
    "09012 345678",  # premium rate is not a number a client gives
    "07700 90012",  # too short
    "077009001234",  # too long
    "We saw 12 clients in 2025 and 14 in 2026.",
    "Room 0123",
])
def test_things_that_are_not_uk_phone_numbers_are_not_flagged(text):
    assert Kind.phone not in kinds(text)


# Email addresses


@pytest.mark.parametrize("address", [
    "jo.bloggs@example.com", "jo.bloggs+cwtch@example.co.uk", "Siân.Jones@ebost.cymru",
    "obrien@example.org", "x_y-z%1@sub-domain.example.gov.uk",
])
def test_email_addresses_are_flagged_as_written(address):
    assert found(f"Her email ({address}) was on the letter.") == [(Kind.email, address)]


def test_sentence_punctuation_after_an_email_is_not_part_of_it():
    assert found("Write to jo@example.com.") == [(Kind.email, "jo@example.com")]


@pytest.mark.parametrize("text", [
    "We met @ the library", "jo@localhost", "an @mention", "user@example.123", "@example.com",
])
def test_things_that_are_not_email_addresses_are_not_flagged(text):
    assert Kind.email not in kinds(text)


def test_an_email_made_of_digits_is_an_email_not_an_nhs_number():
    assert found("9434765919@example.com") == [(Kind.email, "9434765919@example.com")]


# Order, duplicates, input


def test_findings_come_in_order_of_appearance_across_texts():
    first = "Call 07700 900123 or write to jo@example.com."
    second = "NHS 943 476 5919, lives at CF10 3NQ, DOB 12/03/1985."
    assert found(first, second) == [
        (Kind.phone, "07700 900123"),
        (Kind.email, "jo@example.com"),
        (Kind.nhs_number, "943 476 5919"),
        (Kind.postcode, "CF10 3NQ"),
        (Kind.date_of_birth, "12/03/1985"),
    ]


def test_each_distinct_finding_is_reported_once():
    text = "CF10 3NQ then CF10 3NQ again, and cf10 3nq written differently."
    assert found(text, text) == [(Kind.postcode, "CF10 3NQ"), (Kind.postcode, "cf10 3nq")]


def test_findings_are_finding_values():
    assert find_identifiers("07700 900123") == [Finding(Kind.phone, "07700 900123")]


@pytest.mark.parametrize("texts", [(), (None,), ("",), (None, "", None)])
def test_nothing_to_read_finds_nothing(texts):
    assert find_identifiers(*texts) == []


def test_none_and_empty_texts_are_skipped_among_others():
    assert found(None, "", "jo@example.com", None) == [(Kind.email, "jo@example.com")]


def test_the_text_is_quoted_exactly_as_written():
    text = "Tel\u00a0: +44 (0)29 2018\u00a03456 / post code sw1a  1aa / Jo.Bloggs@Example.COM"
    assert found(text) == [
        (Kind.phone, "+44 (0)29 2018\u00a03456"), (Kind.postcode, "sw1a  1aa"),
        (Kind.email, "Jo.Bloggs@Example.COM")]


def test_welsh_and_other_unicode_text_is_handled():
    text = ("Siaradais â'r cleient ddoe. Ganwyd hi ar 3 Ebrill 2015 ac mae'n byw yn LL57 2PW. "
            "Ŵyr 😀 naïve café – “quoted” 07700 900123")
    assert found(text) == [
        (Kind.date_of_birth, "3 Ebrill 2015"), (Kind.postcode, "LL57 2PW"),
        (Kind.phone, "07700 900123")]


def test_plain_reflective_writing_has_no_findings():
    text = ("Today I supported a client who was anxious about a benefits assessment. I felt "
            "stretched after seven appointments, and I noticed I was rushing the last two. Using "
            "Gibbs, I want to plan breaks between sessions. Next step: talk to my supervisor at "
            "our 10.30 session on Tuesday about caseload, and read chapter 2 of the handbook.")
    assert found(text) == []


def test_today_defaults_to_the_real_date():
    long_ago = f"on 01/01/{date.today().year - 20}"
    this_year = f"on 01/01/{date.today().year}"
    assert [f.kind for f in find_identifiers(long_ago, this_year)] == [Kind.date_of_birth]


@pytest.mark.parametrize("adversarial", [
    "a" * 100_000,
    "1" * 100_000,
    "1 " * 50_000,
    "0-" * 50_000,
    "a@" * 50_000,
    "a@a." * 25_000,
    "x" * 99_999 + "@",
    "born " * 20_000,
    "DOB 1/" * 16_000,
    "12 March " * 11_000,
    "+44 (" * 20_000,
    "CF10 " * 20_000,
    "ŵ\u00a0" * 50_000,
])
def test_long_adversarial_texts_are_read_without_trouble(adversarial):
    assert find_identifiers(adversarial) == []


def test_a_long_text_finds_everything_in_it():
    chunk = "x " * 5_000 + "jo@example.com " + "y " * 5_000
    text = chunk * 4 + "07700 900123"
    assert len(text) > 40_000
    assert found(text) == [(Kind.email, "jo@example.com"), (Kind.phone, "07700 900123")]


# Labels


def test_every_kind_has_a_lazy_label(app):
    assert set(KIND_LABELS) == set(Kind)
    assert all(isinstance(label, LazyString) for label in KIND_LABELS.values())
    with app.test_request_context("/"):
        assert all(str(label).startswith(("a ", "an ")) for label in KIND_LABELS.values())
