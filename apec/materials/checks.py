"""Checks made on every upload, each with a message the user can act on.

The type is decided from the file's first bytes, never from its name or
the browser's claim.

What is stored is not always what was sent: a picture is decoded and written
afresh (`_rewritten`), so nothing but its pixels survives, and a PDF is kept as
sent only once `pdfs.pdf_problem` found no script, action or attachment in it.
"""

import datetime
import io
import struct
import warnings
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageCms, ImageOps, UnidentifiedImageError

from ..provinces.schema import MaterialSpec
from ..timefmt import add_months
from .pdfs import pdf_problem

# No photo or scan needs more; a bigger picture is refused from its header, before decoding.
MAX_PIXELS = 25_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# White background. A pixel is white when its darkest channel is at least WHITE_MIN_CHANNEL
# (white paper, off-white (245,245,240) and JPEG noise stay above ~230; a grey background
# (190) and a visa-photo light blue (200,225,250: darkest 200) fall below) and its channels
# differ by at most WHITE_MAX_SPREAD (off-white differs by 5, JPEG noise by a few; a pale
# tint bright in every channel, such as (220,235,250), differs by more).
WHITE_MIN_CHANNEL = 215
WHITE_MAX_SPREAD = 25
# Each strip judged runs from the outermost pixels inwards for 2% of the shorter side.
STRIP_SHARE = 0.02
MIN_STRIP_PX = 2
# Only this upper share of the side edges is background; lower down, the shoulders reach them.
SIDE_HEIGHT_SHARE = 0.6
# A strip passes with up to 15% non-white pixels: hair whose crown touches the top edge covers
# about 12% of the top strip, a stroke of a signature reaching an edge less.
STRIP_WHITE_SHARE = 0.85
# ... unless one line along the edge is mostly non-white: a frame line, dense along a whole edge.
LINE_WHITE_SHARE = 0.5

SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
TYPE_LABELS = {"pdf": "PDF", "jpeg": "JPG", "png": "PNG"}
EXTENSIONS = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}


# A picture is stored re-encoded: a JPEG at this quality (what a phone or scanner writes; the white
# background and the exact pixel size stay as judged), a PNG losslessly.
JPEG_QUALITY = 90
# Modes a PNG keeps as they are; any other (PA, CMYK after a conversion, …) becomes RGB or RGBA.
PNG_MODES = {"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"}
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class UploadRejected(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed its checks: its type, and the bytes to store (a picture re-encoded)."""

    kind: str
    data: bytes


def sniff(data: bytes) -> str | None:
    for kind, signatures in SIGNATURES.items():
        if any(data.startswith(signature) for signature in signatures):
            return kind
    return None


def check_upload(data: bytes, spec: MaterialSpec | None, issued_on: datetime.date | None = None,
                 today: datetime.date | None = None) -> str:
    """The file's type ("pdf", "jpeg" or "png") if it passes `spec`; else UploadRejected."""
    return checked_file(data, spec, issued_on=issued_on, today=today).kind


def checked_file(data: bytes, spec: MaterialSpec | None, issued_on: datetime.date | None = None,
                 today: datetime.date | None = None) -> CheckedFile:
    """The file as it is to be stored if it passes `spec`; else UploadRejected."""
    allowed = spec.types if spec else ("pdf", "jpeg", "png")
    allowed_text = "、".join(TYPE_LABELS[kind] for kind in allowed)
    if not data:
        raise UploadRejected("文件是空的，请重新选择文件。")
    kind = sniff(data)
    if kind is None or kind not in allowed:
        raise UploadRejected(f"只能上传 {allowed_text} 格式的文件，所选文件不是这些格式。")
    max_mb = spec.max_mb if spec else 10
    if len(data) > max_mb * 1024 * 1024:
        raise UploadRejected(f"文件大小不能超过 {max_mb} MB，当前为 {len(data) / 1024 / 1024:.1f} MB，请压缩后重新上传。")
    if kind == "pdf":
        if problem := pdf_problem(data):
            raise UploadRejected(problem)
    else:
        data = _checked_image(data, kind, spec)
    if spec and spec.issued_within_months:
        _check_issue_date(spec, issued_on, today or datetime.date.today())
    return CheckedFile(kind, data)


def _checked_image(data: bytes, kind: str, spec: MaterialSpec | None) -> bytes:
    """The picture re-encoded, once it passes `spec` as it is shown (turned upright by its EXIF
    orientation, in sRGB); UploadRejected if it does not."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            original = Image.open(io.BytesIO(data))
        with original:
            if original.width * original.height > MAX_PIXELS:
                raise UploadRejected(f"图片像素过大（{original.width}×{original.height}），请缩小后重新上传。")
            if original.format not in (("JPEG", "MPO") if kind == "jpeg" else ("PNG",)):
                raise UnidentifiedImageError(original.format)
            original.load()
            image = _as_shown(original, kind)
            if spec and spec.image_size and image.size != tuple(spec.image_size):
                width, height = spec.image_size
                raise UploadRejected(
                    f"{spec.label}须为宽 {width} 像素、高 {height} 像素，所选图片为宽 {image.width}、高 {image.height} 像素。"
                )
            if spec and spec.white_background:
                parts = _non_white_background_parts(image)
                if parts:
                    raise UploadRejected(
                        f"{spec.label}须为白色背景：所选图片{'、'.join(parts)}的背景不是白色，请使用白色背景重新拍摄。"
                    )
            return _rewritten(image, kind)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRejected("图片像素过大，请缩小后重新上传。") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise UploadRejected("图片文件已损坏或无法识别，请重新导出后上传。") from None


def _as_shown(original: Image.Image, kind: str) -> Image.Image:
    """A new image of the picture as a viewer shows it, in a mode its format stores, carrying
    nothing of the file but its pixels (and which palette entry or colour is transparent).

    A viewer turns a photo by its EXIF orientation, so the size and the background are judged
    (and the picture stored) turned; it shows the colours through the embedded ICC profile, so
    they are converted to sRGB, and the profile (arbitrary bytes) is not kept.
    """
    try:
        image = ImageOps.exif_transpose(original)  # a copy, turned upright if EXIF says so
    except (SyntaxError, ValueError, TypeError, KeyError, struct.error):  # an EXIF block beyond reading
        image = original.copy()
    image = _in_srgb(image, original.info.get("icc_profile"))
    transparency = image.info.get("transparency")
    if kind == "jpeg":
        if image.mode not in ("L", "RGB"):
            image = image.convert("RGB")  # CMYK without a usable profile, or YCbCr, 1, I …
    elif image.mode not in PNG_MODES:
        alpha = "A" in image.mode or transparency is not None
        image = image.convert("RGBA" if alpha else "RGB")
        transparency = None
    # Comments, EXIF, XMP, text chunks, ICC profile: Pillow writes some of them back from `info`.
    image.info = {} if transparency is None or kind == "jpeg" else {"transparency": transparency}
    return image


def _in_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """The colour image converted from its embedded profile to sRGB; as it is without one (or
    with one that cannot be read, or is not of the image's colour space)."""
    if not icc_profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        return ImageCms.profileToProfile(image, source, SRGB, outputMode="RGBA" if image.mode == "RGBA" else "RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image


def _rewritten(image: Image.Image, kind: str) -> bytes:
    """A fresh file of the same type: only the pixels of the picture."""
    buffer = io.BytesIO()
    if kind == "jpeg":
        image.save(buffer, "JPEG", quality=JPEG_QUALITY)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()


def _non_white_background_parts(image: Image.Image) -> list[str]:
    """The parts of the edge where a background shows that are not white; empty if all are.

    Only the top edge and the upper part of both side edges are judged: in an ID
    photo the shoulders fill the bottom edge and the lower sides, so those show
    the person, not the background. A signature (ink on white) is judged the same
    way; its bottom edge is white too, but need not be for it to pass.
    """
    image = _on_white(image)
    width, height = image.size
    depth = max(MIN_STRIP_PX, round(min(width, height) * STRIP_SHARE))
    side_height = round(height * SIDE_HEIGHT_SHARE)
    strips = {  # label: (box, whether the edge, and so a frame line on it, runs horizontally)
        "顶部": ((0, 0, width, depth), True),
        "左侧上部": ((0, 0, depth, side_height), False),
        "右侧上部": ((width - depth, 0, width, side_height), False),
    }
    return [label for label, (box, horizontal) in strips.items()
            if not _is_white_strip(_white_mask(image.crop(box).convert("RGB")), horizontal)]


def _on_white(image: Image.Image) -> Image.Image:
    """A transparent background shows as white wherever the photo is printed or viewed."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        backdrop = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(backdrop, rgba).convert("RGB")
    return image


def _white_mask(rgb: Image.Image) -> Image.Image:
    """255 where a pixel is white paper: every channel bright and the channels nearly equal; else 0.

    Judging only brightness would pass a light blue background, bright in grey.
    """
    red, green, blue = rgb.split()
    darkest = ImageChops.darker(red, ImageChops.darker(green, blue))
    brightest = ImageChops.lighter(red, ImageChops.lighter(green, blue))
    bright = darkest.point(lambda level: 255 if level >= WHITE_MIN_CHANNEL else 0)
    neutral = ImageChops.subtract(brightest, darkest).point(lambda spread: 255 if spread <= WHITE_MAX_SPREAD else 0)
    return ImageChops.darker(bright, neutral)  # both


def _is_white_strip(strip: Image.Image, horizontal: bool) -> bool:
    """Mostly white, and no line along the edge mostly dark (a frame line, however thin)."""
    if _white_share(strip) < STRIP_WHITE_SHARE:
        return False
    width, height = strip.size
    lines = ([(0, y, width, y + 1) for y in range(height)] if horizontal
             else [(x, 0, x + 1, height) for x in range(width)])
    return all(_white_share(strip.crop(line)) >= LINE_WHITE_SHARE for line in lines)


def _white_share(mask: Image.Image) -> float:
    histogram = mask.histogram()  # of a 0/255 mask: counts at 0 and 255 only
    return histogram[255] / sum(histogram)


def _check_issue_date(spec: MaterialSpec, issued_on: datetime.date | None, today: datetime.date) -> None:
    if issued_on is None:
        raise UploadRejected(f"请填写{spec.label}的开具日期。")
    if issued_on > today:
        raise UploadRejected("开具日期不能晚于今天。")
    months = spec.issued_within_months
    last_day = add_months(issued_on, months)
    if today > last_day:
        raise UploadRejected(
            f"{spec.label}自开具之日起 {months} 个月内有效，{issued_on:%Y-%m-%d} 开具的已过期，请重新开具。"
        )
