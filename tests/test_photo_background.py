"""White background of ID photos and signatures, judged where the background shows.

The fixtures are drawn by tests/fixtures/photos/make_photos.py: a person whose
dark jacket fills the bottom edge, as in every real ID photo.
"""

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from apec.materials.checks import UploadRejected, check_upload
from apec.materials.models import Material
from apec.provinces.registry import load_provinces

from .conftest import login
from .factories import add_person, image_bytes, start, upload
from .factories import fill_form, member_id_of

PHOTOS = Path(__file__).parent / "fixtures" / "photos"


@pytest.fixture(scope="module")
def liaoning_specs(tmp_path_factory):
    """Liaoning's own material list: a 600×800 photo and a 300×150 signature, both on white."""
    liaoning = load_provinces(["liaoning"], tmp_path_factory.mktemp("no-overrides"))["liaoning"]
    return {spec.code: spec for spec in liaoning.config.materials["new"]}


@pytest.fixture
def photo_spec(liaoning_specs):
    spec = liaoning_specs["photo"]
    assert spec.white_background and spec.image_size == (600, 800)
    return spec


@pytest.fixture
def signature_spec(liaoning_specs):
    spec = liaoning_specs["signature"]
    assert spec.white_background and spec.image_size == (300, 150)
    return spec


def photo(name: str) -> bytes:
    return (PHOTOS / name).read_bytes()


def refusal(data: bytes, spec) -> str:
    with pytest.raises(UploadRejected) as refused:
        check_upload(data, spec)
    return refused.value.message


@pytest.mark.parametrize("name, kind", [
    ("white_shoulders.jpg", "jpeg"),
    ("white_shoulders_q70.jpg", "jpeg"),
    ("offwhite_shoulders.jpg", "jpeg"),
    ("white_background_png.png", "png"),
])
def test_a_real_photo_on_white_is_accepted_though_the_shoulders_fill_the_bottom(photo_spec, name, kind):
    assert check_upload(photo(name), photo_spec) == kind


def test_a_plain_white_picture_is_still_accepted(photo_spec):
    assert check_upload(image_bytes(), photo_spec) == "jpeg"
    assert check_upload(image_bytes(kind="PNG"), photo_spec) == "png"


@pytest.mark.parametrize("name", ["lightblue.jpg", "grey.jpg"])
def test_a_coloured_background_is_refused_naming_the_top_and_both_sides(photo_spec, name):
    message = refusal(photo(name), photo_spec)
    assert message == (f"{photo_spec.label}须为白色背景：所选图片顶部、左侧上部、右侧上部的背景不是白色，"
                       "请使用白色背景重新拍摄。")


def test_a_white_photo_with_a_dark_frame_line_is_refused(photo_spec):
    message = refusal(photo("white_with_frame.jpg"), photo_spec)
    assert "须为白色背景" in message and "顶部、左侧上部、右侧上部" in message


def test_a_frame_line_one_pixel_wide_is_refused_too(photo_spec):
    image = Image.open(io.BytesIO(photo("white_shoulders.jpg")))
    ImageDraw.Draw(image).rectangle((0, 0, 599, 799), outline=(40, 40, 40), width=1)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    assert "顶部、左侧上部、右侧上部" in refusal(buffer.getvalue(), photo_spec)


def test_only_the_part_that_is_not_white_is_named(photo_spec):
    image = Image.open(io.BytesIO(photo("white_shoulders.jpg")))
    ImageDraw.Draw(image).rectangle((560, 0, 599, 799), fill=(200, 225, 250))  # a blue wall at the right
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    message = refusal(buffer.getvalue(), photo_spec)
    assert "所选图片右侧上部的背景不是白色" in message
    assert "顶部" not in message and "左侧" not in message


def test_a_photo_on_a_transparent_background_is_judged_as_it_shows_on_white(photo_spec):
    person = Image.open(io.BytesIO(photo("white_shoulders.jpg"))).convert("RGBA")
    transparent = Image.new("RGBA", person.size, (0, 0, 0, 0))  # transparent black, white once shown
    mask = Image.new("L", person.size, 0)
    ImageDraw.Draw(mask).rectangle((100, 120, 500, 799), fill=255)  # the person; the rest is see-through
    transparent.paste(person, mask=mask)
    buffer = io.BytesIO()
    transparent.save(buffer, "PNG")
    assert check_upload(buffer.getvalue(), photo_spec) == "png"


def signature(*strokes) -> bytes:
    image = Image.new("RGB", (300, 150), "white")
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        draw.line(stroke, fill="black", width=5)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def test_a_signature_in_black_ink_on_white_is_accepted(signature_spec):
    across_the_middle = [(30, 80), (120, 60), (200, 95), (270, 70)]
    assert check_upload(signature(across_the_middle), signature_spec) == "jpeg"
    # Strokes that run off the edges a little do not make the background "not white".
    off_the_edges = [(0, 40), (60, 20)], [(250, 0), (280, 30), (299, 50)], [(100, 149), (140, 110)]
    assert check_upload(signature(across_the_middle, *off_the_edges), signature_spec) == "jpeg"


def test_a_signature_on_grey_paper_is_refused(signature_spec):
    buffer = io.BytesIO()
    Image.new("RGB", (300, 150), (190, 190, 190)).save(buffer, "JPEG")
    assert signature_spec.label + "须为白色背景" in refusal(buffer.getvalue(), signature_spec)


# --- through the upload form -------------------------------------------------------------------


@pytest.fixture
def hunan(app, client, make_enterprise):
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    person_id = add_person(app, enterprise_id)
    login(client, email)
    return {"person_id": person_id}


def test_uploading_photos_tells_the_user_which_part_is_not_white(client, scalar, count, hunan):
    application_id = start(client)
    fill_form(client, application_id, hunan["person_id"])
    member_id = member_id_of(scalar, application_id)
    blue = upload(client, application_id, "photo", data=photo("lightblue.jpg"), filename="蓝底.jpg",
                  member_id=member_id, htmx=True)
    assert blue.status_code == 422
    assert "须为白色背景：所选图片顶部、左侧上部、右侧上部的背景不是白色" in blue.get_data(as_text=True)
    assert count(Material) == 0
    good = upload(client, application_id, "photo", data=photo("white_shoulders.jpg"), filename="白底.jpg",
                  member_id=member_id, htmx=True)
    assert good.status_code == 200 and "白底.jpg" in good.get_data(as_text=True)
    assert count(Material) == 1
