"""查看示例 shows a picture of each material of every province's lists, drawn from its rules."""

import xml.etree.ElementTree as ElementTree

import pytest

from apec.provinces.registry import enabled_provinces

from .conftest import login
from .factories import start

SVG = "{http://www.w3.org/2000/svg}"


def every_material(app):
    with app.app_context():
        return [(code, business_type, spec) for code, province in enabled_provinces().items()
                for business_type in province.config.business_types
                for spec in province.material_list(business_type)]


def test_every_material_of_every_province_has_an_example_picture(app, client):
    for province, business_type, spec in every_material(app):
        client.get(f"/province/{province}")
        response = client.get(f"/materials/examples/{business_type}/{spec.code}.svg")
        assert response.status_code == 200 and response.mimetype == "image/svg+xml", (province, spec.code)
        picture = ElementTree.fromstring(response.data)
        texts = "".join(text.text or "" for text in picture.iter(f"{SVG}text"))
        assert f"示例：{spec.label}" in texts
        if spec.image_size:
            assert f"宽 {spec.image_size[0]} × 高 {spec.image_size[1]} 像素" in texts


def test_an_unknown_material_has_no_example(client):
    assert client.get("/materials/examples/new/no_such_thing.svg").status_code == 404


def test_the_upload_slot_offers_the_example_picture(client, make_enterprise):
    _, email = make_enterprise(province="hunan", office="hunan")
    login(client, email)
    page = client.get(f"/apply/{start(client)}/materials").get_data(as_text=True)
    assert "查看示例" in page and '/materials/examples/new/business_license.svg"' in page
