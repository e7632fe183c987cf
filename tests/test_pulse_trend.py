"""A person's own wellbeing trend: the table's figures against hand-worked scores, the pygal charts
(SVG without script, with the plotted values), the empty state, who may open the pages, bounded
queries, and Welsh."""
from __future__ import annotations

import base64
import hashlib
import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest

from supervision.accounts.models import Role

from .conftest import counting_queries, sign_in

COMMENT = "My manager keeps adding cases to my list"
SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class World:
    organisation: object
    link_worker: object
    other_link_worker: object
    supervisor: object
    employer: object
    admin: object

    def people(self) -> dict:
        return {"link_worker": self.link_worker, "supervisor": self.supervisor, "employer": self.employer,
                "admin": self.admin}


def answered_surveys(make, organisation, person) -> None:
    """Three monthly pulses and two CBIs, whose scores are worked out by hand in the tests."""
    january = make.pulse_round(organisation, year=2026, month=1)
    make.pulse_response(person, january, {"B1": 2, "S1": 5, "S2": 4, "S3": 1}, comment=COMMENT)
    february = make.pulse_round(organisation, year=2026, month=2)
    make.pulse_response(person, february, {"B1": 4, "S1": 3})
    march = make.pulse_round(organisation, year=2026, month=3)
    make.pulse_response(person, march, {"S2": 2})  # the single item left out
    q1 = make.pulse_round(organisation, instrument="cbi", year=2026, month=1)
    # Personal: (75 + 50 + 50 + 25 + 75 + 100) / 6 = 62.5.
    # Work: W1 50, W2 25, W3 25, W7 "Always" (100) reversed to 0: (50 + 25 + 25 + 0) / 4 = 25.0.
    # People you support: 2 of 6 answered, fewer than 3: not scored.
    make.pulse_response(person, q1, {"P1": 75, "P2": 50, "P3": 50, "P4": 25, "P5": 75, "P6": 100,
                                     "W1": 50, "W2": 25, "W3": 25, "W7": 100, "C1": 100, "C2": 75})
    q2 = make.pulse_round(organisation, instrument="cbi", year=2026, month=4)
    # Personal (25 + 25 + 50) / 3 = 33.3…; work (0 + 0 + 25 + 75) / 4 = 25.0; people (100 × 3) / 3 = 100.0.
    make.pulse_response(person, q2, {"P1": 25, "P2": 25, "P3": 50, "W1": 0, "W2": 0, "W3": 25, "W4": 75,
                                     "C1": 100, "C2": 100, "C3": 100}, language="cy")


@pytest.fixture
def world(make) -> World:
    organisation = make.organisation(name="Ogmore Valleys")
    link_worker = make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins")
    other = make.user(Role.link_worker, organisation=organisation, name="Huw Parry")
    answered_surveys(make, organisation, link_worker)
    # Someone else's answers never appear in Carys's trend.
    make.pulse_response(other, make.pulse_round(organisation, year=2025, month=12), {"B1": 5})
    return World(organisation, link_worker, other,
                 make.user(Role.supervisor, organisation=organisation, name="Rhodri Evans"),
                 make.user(Role.employer, organisation=organisation), make.user(Role.admin, organisation=organisation))


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def table_rows(text: str, caption_id: str) -> list[list[str]]:
    table = text[text.index(f'id="{caption_id}"'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


def test_the_tables_show_the_scores_worked_out_by_hand(client, world):
    sign_in(client, world.link_worker.email)
    text = page(client.get("/wellbeing/trend"))
    assert table_rows(text, "single-item-caption") == [
        ["January 2026", "2", "Not burned out", "English"],
        ["February 2026", "4", "Burning out", "English"],
        ["March 2026", "Not answered", "Not scored", "English"],
    ]
    assert table_rows(text, "cbi-caption") == [
        ["January to March 2026", "62.5 moderate or higher", "25.0", "Not scored (answered 2 of 6)", "English"],
        ["April to June 2026", "33.3", "25.0", "100.0 moderate or higher", "Welsh"],
    ]
    assert "This is a research convention, not a diagnosis" in text
    assert "Your comments are private" in text
    assert COMMENT not in text  # the trend is made of scores: comments are not shown, even to their writer


def chart(client, measure: str):
    response = client.get(f"/wellbeing/trend/chart.svg?measure={measure}")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "no-store" in response.headers["Cache-Control"]
    root = ET.fromstring(response.data)
    # On its own the SVG may run nothing and load nothing, and use only its own <style>, by hash.
    policy = [part.strip() for part in response.headers["Content-Security-Policy"].split(";")]
    assert "default-src 'none'" in policy and "unsafe" not in response.headers["Content-Security-Policy"]
    hashes = {"'sha256-" + base64.b64encode(hashlib.sha256(node.text.encode()).digest()).decode() + "'"
              for node in root.iter(f"{SVG}style")}
    assert hashes and policy[1] == "style-src " + " ".join(sorted(hashes))
    assert root.tag == f"{SVG}svg"
    assert not list(root.iter(f"{SVG}script")) and b"<script" not in response.data
    assert b"<!--" not in response.data  # pygal's comments, with the day the chart was drawn
    printed = [node.text for node in root.iter(f"{SVG}text") if "value" in (node.get("class") or "").split()]
    return root, [value for value in printed if value]


def test_the_single_item_chart_plots_each_month(client, world):
    sign_in(client, world.link_worker.email)
    root, printed = chart(client, "single")
    assert printed == ["2", "4"]  # March's single item was left out: a gap, not a zero
    texts = {node.text for node in root.iter(f"{SVG}text")}
    assert {"Jan 2026", "Feb 2026", "Mar 2026", "Your answer to the burnout question, by month"} <= texts
    assert "Dec 2025" not in texts  # Huw's answer


def test_the_cbi_chart_plots_each_scale_by_quarter(client, world):
    sign_in(client, world.link_worker.email)
    root, printed = chart(client, "cbi")
    assert sorted(printed) == sorted(["62.5", "33.3", "25.0", "25.0", "100.0"])
    texts = {node.text for node in root.iter(f"{SVG}text")}
    assert {"Jan–Mar 2026", "Apr–Jun 2026", "Personal burnout", "Work-related burnout",
            "Burnout related to the people you support", "50 or more: moderate or higher burnout"} <= texts


def test_the_page_shows_both_charts_with_alternative_text(client, world):
    sign_in(client, world.link_worker.email)
    text = page(client.get("/wellbeing/trend"))
    images = re.findall(r'<img src="([^"]+)" alt="([^"]+)"', text)
    assert [src for src, _alt in images] == ["/wellbeing/trend/chart.svg?measure=single",
                                            "/wellbeing/trend/chart.svg?measure=cbi"]
    assert all("The same figures are in the table below" in alt for _src, alt in images)


def test_an_unknown_measure_answers_404(client, world):
    sign_in(client, world.link_worker.email)
    assert client.get("/wellbeing/trend/chart.svg?measure=s1").status_code == 404


def test_no_answers_yet_shows_a_friendly_empty_state(client, make, world):
    newcomer = make.user(Role.link_worker, organisation=world.organisation)
    sign_in(client, newcomer.email)
    text = page(client.get("/wellbeing/trend"))
    assert "Nothing to show yet" in text
    assert 'href="/wellbeing/"' in text
    assert "<img" not in text and "<table" not in text
    root, printed = chart(client, "single")
    assert printed == [] and "No answers yet" in {node.text for node in root.iter(f"{SVG}text")}


def test_drafts_are_not_part_of_the_trend(client, make, world):
    newcomer = make.user(Role.link_worker, organisation=world.organisation)
    make.pulse_response(newcomer, make.pulse_round(world.organisation, year=2026, month=5), {"B1": 5},
                        submitted=False)
    sign_in(client, newcomer.email)
    assert "Nothing to show yet" in page(client.get("/wellbeing/trend"))


@pytest.mark.parametrize("path", ["/wellbeing/trend", "/wellbeing/trend/chart.svg?measure=single"])
@pytest.mark.parametrize("who,expected", [("anonymous", 302), ("supervisor", 403), ("employer", 403),
                                          ("admin", 403), ("link_worker", 200)])
def test_who_may_open_the_trend(client, world, path, who, expected):
    if who != "anonymous":
        sign_in(client, world.people()[who].email)
    response = client.get(path)
    assert response.status_code == expected
    if who == "anonymous":
        assert "/sign-in" in response.headers["Location"]


def test_queries_stay_bounded_however_many_answers(app, client, make):
    organisation = make.organisation()
    person = make.user(Role.link_worker, organisation=organisation)
    sign_in(client, person.email)
    periods = [(year, month) for year in range(2022, 2026) for month in range(1, 13)]

    def answer(count: int, start: int) -> None:
        for year, month in periods[start:start + count]:
            make.pulse_response(person, make.pulse_round(organisation, year=year, month=month), {"B1": 3, "S1": 2})
            if month % 3 == 1:
                make.pulse_response(person, make.pulse_round(organisation, instrument="cbi", year=year,
                                                             month=month), {"P1": 50, "P2": 50, "P3": 50})

    answer(5, 0)
    counts = []
    for count, start in ((0, 0), (35, 5)):  # 5 months, then 40
        answer(count, start)
        with counting_queries(app) as trend_page:
            assert client.get("/wellbeing/trend").status_code == 200
        with counting_queries(app) as svg:
            assert client.get("/wellbeing/trend/chart.svg?measure=cbi").status_code == 200
        counts.append((len(trend_page), len(svg)))
    assert counts[0] == counts[1]
    assert page(client.get("/wellbeing/trend")).count("Burning out") == 40


def test_the_trend_renders_in_welsh(client, make, world):
    welsh = make.user(Role.link_worker, organisation=world.organisation, language="cy")
    answered_surveys(make, make.organisation(), welsh)
    sign_in(client, welsh.email)
    response = client.get("/wellbeing/trend")
    assert response.status_code == 200
    assert '<html lang="cy"' in page(response)
    assert "Ionawr 2026" in page(response)  # the month in Welsh, from Babel
    assert client.get("/wellbeing/trend/chart.svg?measure=cbi").status_code == 200
