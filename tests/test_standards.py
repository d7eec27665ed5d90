"""业务申报 tells each province's standards, materials and 禁办情形 before a business is started,
and the province's 温馨提示 in full (seed 004)."""

import re

import pytest

from .conftest import login

OFFICES = {"hunan": "hunan", "guangxi": "guangxi", "hebei": "shijiazhuang", "liaoning": "anshan"}


def standards_of(page: str, business_type: str) -> str:
    found = re.search(rf'<details class="standards" id="standards-{business_type}">(.*?)</details>', page, re.S)
    assert found, f"no standards for {business_type}"
    return re.sub(r"<[^>]+>", "", found.group(1))


@pytest.fixture
def start_page(client, make_enterprise):
    def open_as(province):
        _, email = make_enterprise(province=province, office=OFFICES[province])
        login(client, email)
        return client.get("/apply/").get_data(as_text=True)
    return open_as


def test_liaoning_lists_its_quantitative_standards_materials_and_prohibited_cases(start_page):
    page = start_page("liaoning")
    new = standards_of(page, "new")
    for rule in ("申办企业员工人数 10 人以上", "纳税信用等级 M 级（含）以上，或出具上一年度“完成依法纳税”证明",
                 "申请人护照有效期不少于 12 个月", "无犯罪记录证明自开具之日起 3 个月内有效",
                 "申请人须提供 6 个月以上的社保缴纳明细", "费用 720 元/人"):
        assert rule in new
    assert "上一年度海关进出口货物报关单（加工制造或货物贸易进出口类企业）" in new
    assert "申请人上一年度前往相关经济体的商务签证（每位申请人、非货物贸易类企业）" in new
    assert "国家公务员、事业单位人员" in new and "企业破产" not in new
    renew = standards_of(page, "renew")
    assert "企业破产" in renew and "APEC 卡到期前 6 个月内可申请续办" in renew
    replace = standards_of(page, "replace")
    assert "挂失证明（卡遗失时）" in replace and "员工人数" not in replace
    assert "不收费" not in standards_of(page, "passport") and "费用" not in standards_of(page, "passport")


def test_hunan_lists_only_its_own_standards(start_page):
    page = start_page("hunan")
    assert "温馨提示" not in page
    new = standards_of(page, "new")
    assert "申请人护照有效期不少于 12 个月" in new
    assert "员工人数" not in new and "个月以上的社保缴纳明细" not in new and "禁办" not in new


def test_liaonings_warm_tips_are_shown_in_full(client, start_page):
    page = start_page("liaoning")
    for tip in ("办理周期为3-6个月", "澳大利亚、新西兰、巴布亚新几内亚会有签证覆盖的情况", "下卡后省外办会通过各市外办下发卡",
                "随时调整我省政策"):
        assert tip in page
    assert "巴布亚新几内亚会有签证覆盖" in client.get("/").get_data(as_text=True)
