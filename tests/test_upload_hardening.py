"""What the security review found accepted and served back unchanged (issue 19, item 9): a picture
is stored re-encoded, with nothing of the file but its pixels; a PDF with scripts, actions,
attachments or encryption is refused; an application, a member and an enterprise each hold at
most so many files and bytes. The hostile files are made here, with Pillow and pypdf."""

import io
import struct
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject
from sqlalchemy import func, select

from apec.applications.models import Application, Payment
from apec.materials.models import Material

from .conftest import submit
from .factories import PDF, awaiting_payment, fill_form, member_id_of, start, upload

from .test_applications import hunan  # noqa: F401  (the signed-in Hunan enterprise and its person)

SCRIPT = b"<script>alert(document.cookie)</script>"


@pytest.fixture
def stored_files(app):
    """How many files the storage holds (the local directory of the test app)."""
    def run() -> int:
        return sum(1 for path in Path(app.config["APEC_UPLOAD_DIR"]).rglob("*") if path.is_file())

    return run


def attach(client, application_id, data, filename="附件.pdf", title="其他材料", member_id=None):
    """新增附件 (a file of a name of the user's choosing), as HTMX sends it."""
    return upload(client, application_id, data=data, filename=filename, title=title, member_id=member_id, htmx=True)


def newest_download(client, scalar) -> bytes:
    material_id = scalar(select(func.max(Material.id)))
    response = client.get(f"/materials/{material_id}/download")
    assert response.status_code == 200
    return response.data


# --- pictures: re-encoded, nothing but the pixels survives -------------------------------------


def id_photo(size=(600, 800)) -> Image.Image:
    """White background, a dark jacket along the bottom edge, as an ID photo (upright)."""
    image = Image.new("RGB", size, "white")
    width, height = size
    ImageDraw.Draw(image).rectangle((width // 6, height * 3 // 4, width * 5 // 6, height), fill=(30, 30, 60))
    return image


def jpeg(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def with_segment(data: bytes, marker: int, payload: bytes) -> bytes:
    """A JPEG with one more segment right after its start marker (SOI)."""
    return data[:2] + struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload + data[2:]


def test_a_jpeg_with_a_script_in_its_comment_is_stored_without_it(client, scalar, hunan):
    application_id = start(client)
    hostile = with_segment(jpeg(id_photo()), 0xFE, SCRIPT)  # COM
    hostile = with_segment(hostile, 0xE1, b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>" + SCRIPT + b"</x:xmpmeta>")
    hostile += SCRIPT  # after the end of the picture
    assert hostile.count(SCRIPT) == 3 and Image.open(io.BytesIO(hostile)).info["comment"] == SCRIPT

    response = attach(client, application_id, hostile, filename="说明.jpg")
    assert response.status_code == 200 and "说明.jpg" in response.get_data(as_text=True)

    served = newest_download(client, scalar)
    assert b"<script" not in served and b"xmpmeta" not in served
    image = Image.open(io.BytesIO(served))
    assert image.format == "JPEG" and image.size == (600, 800) and "comment" not in image.info
    assert scalar(select(Material.size)) == len(served), "the size kept is the stored file's"


def test_a_photo_comes_back_without_its_gps_position_and_camera(client, scalar, hunan):
    application_id = start(client)
    assert fill_form(client, application_id, hunan["person_id"], action="draft").status_code == 303
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Canon", "Canon EOS 5D Mark IV"  # Make, Model
    exif[0x0131] = "Photo Editor 1.0"  # Software
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (28.0, 11.0, 30.0), 3: "E", 4: (112.0, 58.0, 20.0)})
    sent = jpeg(id_photo(), exif=exif.tobytes())
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(0x8825)[1] == "N"

    response = upload(client, application_id, "photo", data=sent, filename="照片.jpg",
                      member_id=member_id_of(scalar, application_id), htmx=True)
    assert response.status_code == 200

    served = newest_download(client, scalar)
    image = Image.open(io.BytesIO(served))
    assert len(image.getexif()) == 0 and "exif" not in image.info
    assert b"Canon" not in served and b"Photo Editor" not in served


def test_a_photo_turned_by_its_exif_orientation_is_judged_and_stored_upright(client, scalar, count, hunan):
    """A phone stores the sensor's landscape pixels and says "turn 90°" in EXIF; viewers show it
    upright, 600×800. It is judged as shown and stored turned, so every viewer shows it so."""
    application_id = start(client)
    assert fill_form(client, application_id, hunan["person_id"], action="draft").status_code == 303
    member_id = member_id_of(scalar, application_id)
    sideways = id_photo().transpose(Image.Transpose.ROTATE_90)  # as the sensor saw it: 800×600
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: turn 90° clockwise to show
    sent = jpeg(sideways, exif=exif.tobytes())
    assert Image.open(io.BytesIO(sent)).size == (800, 600)

    without_orientation = upload(client, application_id, "photo", data=jpeg(sideways), filename="横拍.jpg",
                                 member_id=member_id, htmx=True)
    assert without_orientation.status_code == 422
    assert "须为宽 600 像素、高 800 像素，所选图片为宽 800、高 600 像素" in without_orientation.get_data(as_text=True)

    response = upload(client, application_id, "photo", data=sent, filename="手机照片.jpg", member_id=member_id,
                      htmx=True)
    assert response.status_code == 200 and count(Material) == 1

    image = Image.open(io.BytesIO(newest_download(client, scalar)))
    assert image.size == (600, 800), "width and height as shown: upright"
    assert len(image.getexif()) == 0, "no orientation left to turn it a second time"
    assert image.convert("L").getpixel((300, 790)) < 100, "the jacket is at the bottom"
    assert image.convert("L").getpixel((300, 10)) > 240, "the white background at the top"


def test_a_png_keeps_its_transparency_and_loses_its_text(client, scalar, hunan):
    from PIL import PngImagePlugin

    application_id = start(client)
    image = Image.new("RGBA", (300, 150), (255, 255, 255, 0))
    ImageDraw.Draw(image).line((20, 120, 280, 40), fill=(0, 0, 0, 255), width=4)
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", SCRIPT.decode())
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=text)
    assert SCRIPT in buffer.getvalue()

    assert attach(client, application_id, buffer.getvalue(), filename="签名.png").status_code == 200
    served = newest_download(client, scalar)
    stored = Image.open(io.BytesIO(served))
    assert SCRIPT not in served and stored.format == "PNG" and stored.mode == "RGBA"
    assert stored.getpixel((0, 0))[3] == 0, "still transparent"


# --- PDFs: refused when they carry scripts, actions, attachments or encryption -------------------


def pdf(build=None) -> bytes:
    """A one-page PDF written by pypdf; `build(writer, page)` adds what a test needs."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    if build:
        build(writer, page)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def action(kind: str, **entries) -> DictionaryObject:
    values = {NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject(kind)}
    values.update({NameObject(f"/{key}"): value for key, value in entries.items()})
    return DictionaryObject(values)


def javascript() -> DictionaryObject:
    return action("/JavaScript", JS=TextStringObject("app.alert('已运行脚本');"))


def link(page, link_action: DictionaryObject) -> None:
    page[NameObject("/Annots")] = ArrayObject([DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([NumberObject(50), NumberObject(50), NumberObject(200), NumberObject(80)]),
        NameObject("/A"): link_action,
    })])


def open_action_script(writer, page):
    writer.root_object[NameObject("/OpenAction")] = javascript()


def named_script(writer, page):
    writer.root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): DictionaryObject({
        NameObject("/Names"): ArrayObject([TextStringObject("init"), javascript()])})})


def page_opening_script(writer, page):
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): javascript()})


def script_after_a_goto(writer, page):
    """An innocent first action whose /Next runs the script."""
    first = action("/GoTo", D=ArrayObject([NumberObject(0), NameObject("/Fit")]), Next=javascript())
    writer.root_object[NameObject("/OpenAction")] = first


def launch_on_opening(writer, page):
    writer.root_object[NameObject("/OpenAction")] = action("/Launch", F=TextStringObject("cmd.exe"))


def launch_on_a_click(writer, page):
    link(page, action("/Launch", F=TextStringObject("C:\\Windows\\System32\\calc.exe")))


def web_address_on_opening(writer, page):
    writer.root_object[NameObject("/OpenAction")] = action("/URI", URI=TextStringObject("https://example.com/t.gif"))


def embedded_file(writer, page):
    writer.add_attachment("营业执照.exe", b"MZ\x90\x00 a program")


def attachment_annotation(writer, page):
    page[NameObject("/Annots")] = ArrayObject([DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/FileAttachment"),
        NameObject("/Rect"): ArrayObject([NumberObject(50), NumberObject(50), NumberObject(70), NumberObject(70)]),
        NameObject("/FS"): DictionaryObject({NameObject("/Type"): NameObject("/Filespec"),
                                             NameObject("/F"): TextStringObject("x.exe")}),
    })])


REFUSED = [
    (open_action_script, "该PDF含有JavaScript 脚本"),
    (named_script, "该PDF含有JavaScript 脚本"),
    (page_opening_script, "该PDF含有JavaScript 脚本"),
    (script_after_a_goto, "该PDF含有JavaScript 脚本"),
    (launch_on_opening, "该PDF含有启动外部程序的动作"),
    (launch_on_a_click, "该PDF含有启动外部程序的动作"),
    (web_address_on_opening, "该PDF含有打开文件时自动执行的动作"),
    (embedded_file, "该PDF内嵌了附件文件"),
    (attachment_annotation, "该PDF内嵌了附件文件"),
]


@pytest.mark.parametrize("build, told", [pytest.param(build, told, id=build.__name__) for build, told in REFUSED])
def test_a_pdf_with_scripts_actions_or_attachments_is_refused_and_nothing_is_stored(
        client, count, stored_files, hunan, build, told):
    application_id = start(client)
    before = stored_files()
    response = attach(client, application_id, pdf(build), filename="营业执照.pdf")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert told in page and "不能上传" in page
    assert "打印为PDF" in page, "the user is told what to do"
    assert count(Material) == 0 and stored_files() == before


@pytest.mark.parametrize("user_password", ["123456", ""], ids=["opening-password", "permissions-only"])
def test_an_encrypted_pdf_is_refused(client, count, stored_files, hunan, user_password):
    application_id = start(client)
    before = stored_files()

    def encrypted(writer, page):
        writer.encrypt(user_password=user_password, owner_password="owner-secret")

    response = attach(client, application_id, pdf(encrypted))
    assert response.status_code == 422
    assert "该PDF已加密，请上传未加密的PDF" in response.get_data(as_text=True)
    assert count(Material) == 0 and stored_files() == before


def test_a_damaged_pdf_is_refused_as_such(client, count, hunan):
    application_id = start(client)
    response = attach(client, application_id, b"%PDF-1.7\n1 0 obj<</Type/Catalog" + b"\x00" * 200)
    assert response.status_code == 422
    assert "PDF文件已损坏或无法识别" in response.get_data(as_text=True)
    assert count(Material) == 0


def test_a_plain_pdf_with_links_and_an_opening_page_is_accepted_as_sent(client, scalar, hunan):
    """Opening at a page (a destination, or a GoTo action) and a web link are what office programs write."""
    def ordinary(writer, page):
        writer.root_object[NameObject("/OpenAction")] = ArrayObject([page.indirect_reference, NameObject("/Fit")])
        link(page, action("/URI", URI=TextStringObject("https://www.example.com.cn/")))

    application_id = start(client)
    for data in (pdf(), pdf(ordinary), PDF):
        response = attach(client, application_id, data, filename="证明.pdf")
        assert response.status_code == 200, response.get_data(as_text=True)
        assert newest_download(client, scalar) == data, "a PDF is kept byte for byte"


# --- quotas: per application, per member, per enterprise ---------------------------------------


def test_the_41st_attachment_of_an_application_is_refused_with_the_limit(app, client, count, stored_files, hunan):
    """The review put 48 attachments into one application; the default limit is 40."""
    assert app.config["APEC_UPLOAD_MAX_FILES_PER_APPLICATION"] == 40
    application_id = start(client)
    for number in range(40):
        assert attach(client, application_id, PDF, title=f"附件{number}").status_code == 200
    before = stored_files()

    refused = attach(client, application_id, PDF, title="第41个")
    assert refused.status_code == 422
    assert "本申请的附件已达上限 40 个，请删除不需要的附件后再上传。" in refused.get_data(as_text=True)
    assert count(Material) == 40 and stored_files() == before

    without_javascript = upload(client, application_id, data=PDF, title="第41个")
    assert without_javascript.status_code == 303
    assert "本申请的附件已达上限 40 个" in client.get(without_javascript.headers["Location"]).get_data(as_text=True)
    assert count(Material) == 40


def test_deleting_an_attachment_makes_room_again(app, client, scalar, count, monkeypatch, hunan):
    monkeypatch.setitem(app.config, "APEC_UPLOAD_MAX_FILES_PER_APPLICATION", 2)
    application_id = start(client)
    for number in range(2):
        assert attach(client, application_id, PDF, title=f"附件{number}").status_code == 200
    assert attach(client, application_id, PDF, title="第3个").status_code == 422
    first_id = scalar(select(func.min(Material.id)))
    assert submit(client, f"/apply/{application_id}/files/{first_id}/delete", {},
                  page="/user-center/").status_code == 303
    assert attach(client, application_id, PDF, title="第3个").status_code == 200
    assert count(Material) == 2


def test_the_bytes_of_an_application_are_limited_too(app, client, count, stored_files, monkeypatch, hunan):
    monkeypatch.setitem(app.config, "APEC_UPLOAD_MAX_BYTES_PER_APPLICATION", 3 * 1024 * 1024)
    application_id = start(client)
    big = PDF + b"%" + b"0" * (1024 * 1024)  # a comment after the end: still a readable PDF, 1 MB
    for number in range(2):
        assert attach(client, application_id, big, title=f"扫描件{number}").status_code == 200
    before = stored_files()
    refused = attach(client, application_id, big, title="扫描件3")
    assert refused.status_code == 422
    assert "本申请的附件合计不能超过 3 MB（已上传 2 MB，所选文件 1 MB）" in refused.get_data(as_text=True)
    assert count(Material) == 2 and stored_files() == before


def test_each_member_has_a_limit_of_their_own_and_a_replacement_adds_nothing(app, client, scalar, count,
                                                                             stored_files, monkeypatch, hunan):
    monkeypatch.setitem(app.config, "APEC_UPLOAD_MAX_FILES_PER_MEMBER", 2)
    application_id = start(client)
    assert fill_form(client, application_id, hunan["person_id"], action="draft").status_code == 303
    member_id = member_id_of(scalar, application_id)
    photo = jpeg(id_photo())
    assert upload(client, application_id, "photo", data=photo, filename="照片.jpg", member_id=member_id,
                  htmx=True).status_code == 200
    assert attach(client, application_id, PDF, title="学历证明", member_id=member_id).status_code == 200
    before = stored_files()

    refused = attach(client, application_id, PDF, title="其他证明", member_id=member_id)
    assert refused.status_code == 422
    assert "该申请人的材料已达上限 2 个，请删除不需要的文件后再上传。" in refused.get_data(as_text=True)
    assert count(Material) == 2 and stored_files() == before

    photo_id = scalar(select(Material.id).where(Material.kind == "photo"))
    form = {"kind": "photo", "member_id": str(member_id), "replace": str(photo_id),
            "file": (io.BytesIO(photo), "新照片.jpg")}
    replaced = submit(client, f"/apply/{application_id}/files", form, page="/user-center/",
                      content_type="multipart/form-data", headers={"HX-Request": "true"})
    assert replaced.status_code == 200 and "新照片.jpg" in replaced.get_data(as_text=True)
    assert count(Material) == 2, "the new photo took the old one's place"

    assert attach(client, application_id, PDF, title="申请单附件").status_code == 200, \
        "the application's own files are counted apart"


def test_an_enterprise_limit_counts_all_its_applications(app, client, count, stored_files, monkeypatch, hunan):
    monkeypatch.setitem(app.config, "APEC_UPLOAD_MAX_FILES_PER_ENTERPRISE", 3)
    first, second = start(client), start(client)
    for application_id in (first, first, second):
        assert attach(client, application_id, PDF).status_code == 200
    before = stored_files()
    refused = attach(client, second, PDF)
    assert refused.status_code == 422
    assert "本企业所有申请的附件已达上限 3 个" in refused.get_data(as_text=True)
    assert count(Material) == 3 and stored_files() == before


def test_a_payment_voucher_passes_the_same_checks_and_quotas(app, client, scalar, count, monkeypatch,
                                                             make_enterprise):
    application_id = awaiting_payment(app, client, make_enterprise)
    version = scalar(select(Application.version).where(Application.id == application_id))

    def pay(data):
        return submit(client, f"/user-center/applications/{application_id}/pay",
                      {"version": version, "voucher": (io.BytesIO(data), "回单.pdf")},
                      content_type="multipart/form-data")

    files = count(Material)
    scripted = pay(pdf(open_action_script))
    assert scripted.status_code == 422 and "该PDF含有JavaScript 脚本" in scripted.get_data(as_text=True)
    monkeypatch.setitem(app.config, "APEC_UPLOAD_MAX_FILES_PER_ENTERPRISE", files)
    full = pay(PDF)
    assert full.status_code == 422 and f"本企业所有申请的附件已达上限 {files} 个" in full.get_data(as_text=True)
    assert count(Material) == files and scalar(select(Payment.status)) == "pending"


def test_the_quotas_come_from_the_environment(monkeypatch):
    from apec.settings import load_settings

    monkeypatch.setenv("APEC_UPLOAD_MAX_FILES_PER_APPLICATION", "12")
    monkeypatch.setenv("APEC_UPLOAD_MAX_BYTES_PER_ENTERPRISE", str(2 * 2**30))
    settings = load_settings()
    assert settings["APEC_UPLOAD_MAX_FILES_PER_APPLICATION"] == 12
    assert settings["APEC_UPLOAD_MAX_BYTES_PER_ENTERPRISE"] == 2 * 2**30
    assert settings["APEC_UPLOAD_MAX_FILES_PER_MEMBER"] == 30, "the others from config/default.toml"
