"""Checks made on every upload, each with a message the user can act on.

The type is decided from the file's first bytes, never from its name or
the browser's claim.
"""

import datetime
import io
import warnings

from PIL import Image, UnidentifiedImageError

from ..provinces.schema import MaterialSpec
from ..timefmt import add_months

# No photo or scan needs more; a bigger picture is refused from its header, before decoding.
MAX_PIXELS = 25_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
TYPE_LABELS = {"pdf": "PDF", "jpeg": "JPG", "png": "PNG"}
EXTENSIONS = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}


class UploadRejected(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def sniff(data: bytes) -> str | None:
    for kind, signatures in SIGNATURES.items():
        if any(data.startswith(signature) for signature in signatures):
            return kind
    return None


def check_upload(data: bytes, spec: MaterialSpec | None, issued_on: datetime.date | None = None,
                 today: datetime.date | None = None) -> str:
    """The file's type ("pdf", "jpeg" or "png") if it passes `spec`; else UploadRejected."""
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
    if kind in ("jpeg", "png"):
        _check_image(data, spec)
    if spec and spec.issued_within_months:
        _check_issue_date(spec, issued_on, today or datetime.date.today())
    return kind


def _check_image(data: bytes, spec: MaterialSpec | None) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
        with image:
            if image.width * image.height > MAX_PIXELS:
                raise UploadRejected(f"图片像素过大（{image.width}×{image.height}），请缩小后重新上传。")
            image.load()
            if spec and spec.image_size and image.size != tuple(spec.image_size):
                width, height = spec.image_size
                raise UploadRejected(
                    f"{spec.label}须为宽 {width} 像素、高 {height} 像素，所选图片为宽 {image.width}、高 {image.height} 像素。"
                )
            if spec and spec.white_background and not _has_white_border(image):
                raise UploadRejected(f"{spec.label}须为白色背景，所选图片的背景不是白色。")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRejected("图片像素过大，请缩小后重新上传。") from None
    except (UnidentifiedImageError, OSError):
        raise UploadRejected("图片文件已损坏或无法识别，请重新导出后上传。") from None


def _has_white_border(image: Image.Image) -> bool:
    """The outer 2% of the picture is (nearly) white, as a white background is."""
    grey = image.convert("L")
    width, height = grey.size
    band = max(1, min(width, height) // 50)
    strips = [
        grey.crop((0, 0, width, band)), grey.crop((0, height - band, width, height)),
        grey.crop((0, 0, band, height)), grey.crop((width - band, 0, width, height)),
    ]
    histograms = [strip.histogram() for strip in strips]  # 256 counts of grey levels each
    total = sum(sum(histogram) for histogram in histograms)
    bright = sum(sum(histogram[225:]) for histogram in histograms)
    return bright >= 0.9 * total


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
