"""Each province in its own words: every page the enterprise reaches and every PDF it downloads,
in each province, with a 新办 in the wizard, one submitted, one with a card and every related
business started on it, holds no label that is another province's only.

A province's words are what its province.toml (or, where it says nothing, the national platform
of seed 000) names its menu, buttons, steps, businesses and statuses; a word of another province
that this one does not use is foreign here. Words too common to belong to anyone (登录, 提交 …)
are left out."""

import re
import subprocess
from collections import deque
from urllib.parse import urlsplit

import pytest

from apec.applications.steps import step_labels, steps_of
from apec.applications.states import reachable_statuses
from apec.provinces.registry import enabled_provinces, get_province
from apec.statuses import STATUS_LABELS

from .conftest import login
from .factories import add_person, put_at_status, start as start_new, submitted_application
from .test_related import card_on, decide, start as start_related

OFFICES = {"hunan": "hunan", "guangxi": "guangxi", "hebei": "shijiazhuang", "liaoning": "anshan"}
COMMON = {"登录", "确认", "提交", "新办", "注销", "注销卡", "上报", "基本信息", "成员信息", "商务旅行卡", "未提交", "申请办理",
          "信息填写"}  # 信息填写 is in seed 002's prose too (团组信息填写完毕后)
NOT_PAGES = re.compile(r"/logout|/download$|/file$|\.svg$|/province/|/static/|/brand/")


def own_words(province) -> set[str]:
    config = province.config
    used = {step for business in config.business_types for step in steps_of(province, business)}
    words = {province.branding.my_applications, province.branding.login_button, province.start_label,
             config.wizard.submit_label, *province.branding.tab_labels.values(),
             *(province.menu_label(entry) for entry in province.branding.menu),
             *(label for step, label in step_labels(province).items() if step in used),
             *(province.label(business) for business in config.business_types),
             *(config.labels.get(status) or STATUS_LABELS[status] for status in reachable_statuses(province))}
    if config.wizard.combined_related:
        words.add(config.wizard.combined_related)
    if "notice" in used:
        words.add(config.wizard.notice_ack)
    if config.eligibility.prohibited:
        words.add(config.eligibility.prohibited_title)
    return words


def province_words(app, code) -> tuple[set[str], set[str]]:
    """(this province's words, the other provinces' words it does not use)."""
    with app.app_context():
        words = {other: own_words(province) for other, province in enabled_provinces().items()}
    return words[code], set().union(*(w for other, w in words.items() if other != code)) - words[code] - COMMON


def foreign_in(text: str, own: set[str], foreign: set[str]) -> list[str]:
    """The foreign words in the text once its own words are taken out (未制卡仅更换护照信息 holds
    更换护照信息, Hebei's, only as a part of Hunan's own 未制卡仅更换护照)."""
    for word in sorted(own, key=len, reverse=True):
        text = text.replace(word, "\x00")
    return sorted(word for word in foreign if word in text)


def text_of(response) -> str:
    if response.mimetype == "application/pdf":
        return subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True, check=True).stdout.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", "", response.get_data(as_text=True), flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def crawl(client, starts, limit=400):
    """Every page and document reachable by a link from `starts` on this site, as the user would click."""
    seen, queue, found = set(starts), deque(starts), {}
    while queue and len(found) < limit:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code != 200:
            continue
        found[url] = text_of(response)
        if response.mimetype != "text/html":
            continue
        for link in re.findall(r'href="([^"#]+)"', response.get_data(as_text=True)):
            link = link.replace("&amp;", "&")
            parts = urlsplit(link)
            if parts.netloc or NOT_PAGES.search(parts.path) or link in seen:
                continue
            seen.add(link)
            queue.append(link)
    return found


@pytest.fixture
def enterprise_with_everything(app, client, make_enterprise, scalar):
    """An enterprise of `code` signed in with a 新办 in the wizard, one submitted, and one whose
    card is made with every related business the province has started on it."""

    def make(code):
        with app.app_context():
            province = get_province(code)
            steps = {business: steps_of(province, business) for business in province.config.business_types}
        enterprise_id, email = make_enterprise(province=code, office=OFFICES[code])
        people = [add_person(app, enterprise_id),
                  add_person(app, enterprise_id, name="单丽娜", id_number="110105199011030028", passport="E26895599")]
        submitted_application(app, enterprise_id, [people[0]])
        parent = submitted_application(app, enterprise_id, [people[1]])
        decide(app, parent, approved=3)
        put_at_status(app, parent, "economies_review", "mfa")
        related = {business: start_related(app, parent, email, business) for business in ("early", "passport")
                   if business in steps}
        card_on(app, parent)
        put_at_status(app, parent, "picked_up", OFFICES[code])
        related.update({business: start_related(app, parent, email, business) for business in ("replace", "cancel")})
        login(client, email)
        draft = start_new(client)
        return ["/", "/user-center/", "/apply/", *(f"/apply/{draft}/{step}" for step in steps["new"]),
                *(f"/apply/{application}/{step}" for business, application in related.items()
                  for step in steps[business])]

    return make


@pytest.mark.parametrize("code", list(OFFICES))
def test_no_page_or_pdf_uses_another_provinces_words(app, client, enterprise_with_everything, code):
    starts = enterprise_with_everything(code)
    own, foreign = province_words(app, code)
    pages = crawl(client, starts)
    assert any(url.endswith(".pdf") for url in pages), "the documents were downloaded too"
    leaks = {url: foreign_in(text, own, foreign) for url, text in pages.items()}
    found = {url: words for url, words in leaks.items() if words}
    assert not found, "\n".join(f"{url}: {words}" for url, words in found.items())
