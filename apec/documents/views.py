"""下载模板: the documents a province asks to download, sign and stamp, and upload again."""

import datetime

from flask import Blueprint, abort, request
from flask_login import current_user

from .. import audit
from ..applications.models import Application, ApplicationMember
from ..applications.requirements import material_specs
from ..applications.businesses import new_passport, reason_label
from ..applications.eligibility import approved_economies, member_cards
from ..applications.steps import step_labels, step_with
from ..applications.workflow import current_payment
from ..economies import economy_name
from ..extensions import db
from ..provinces.registry import get_province
from ..timefmt import CHINA
from ..web.access import enterprise_required, owned_or_404
from ..web.downloads import file_response
from .barcode import barcode_svg
from .pdf import render_pdf

bp = Blueprint("documents", __name__, url_prefix="/documents")
bp.add_app_template_filter(barcode_svg, "barcode")

# Template code (as named in province.toml) → title and template file.
DOCUMENTS = {
    "application_letter": ("APEC商务旅行卡申请函", "documents/application_letter.html"),
    "enterprise_letter": ("企业申请公函", "documents/enterprise_letter.html"),
    "personal_form": ("APEC商务旅行卡个人事项表", "documents/personal_form.html"),
    # 关联业务 (seed 002 §2.2–2.5, seed 003 §1.2)
    "early_report": ("申请报告", "documents/early_report.html"),
    "replace_report": ("换卡报告", "documents/replace_report.html"),
    "passport_change": ("护照更换申请", "documents/passport_change.html"),
    "cancel_report": ("注销报告", "documents/cancel_report.html"),
    "card_change_form": ("APEC商务旅行卡办证单位制卡、换卡申请单", "documents/card_change_form.html"),
}


def related_context(application) -> dict:
    """What a related business's documents name: the parent, each member's card and approved
    economies, the reason, the new passport."""
    if application.parent is None:
        return {}
    cards = {card.person_id: card for card in member_cards(application)}
    approved = {member.person_id: [economy_name(code) for code in approved_economies(member)]
                for member in application.members}
    return {"parent": application.parent, "card_of": cards, "approved": approved,
            "reason": reason_label(application), "new_passport": new_passport(application)}


@bp.get("/<int:application_id>/<code>.pdf")
@enterprise_required
def template_pdf(application_id: int, code: str):
    application = owned_or_404(Application, application_id, enterprise_id=current_user.enterprise_id)
    province = get_province(application.province)
    if code not in DOCUMENTS or code not in {spec.template for spec in material_specs(province, application)}:
        abort(404)
    member = None
    if request.args.get("member"):
        member = owned_or_404(ApplicationMember, request.args.get("member", type=int) or 0,
                              application_id=application.id)
    title, template = DOCUMENTS[code]
    audit.pii_viewed("document", current_user, application_id=application.id, document=code,
                     person_id=member.person_id if member else None)
    db.session.commit()
    pdf = render_pdf(template, title=title, application=application, province=province, member=member,
                     today=datetime.datetime.now(CHINA).date(), **related_context(application),
                     upload_step=step_labels(province)[step_with(province, application, "materials")])
    return file_response(pdf, "application/pdf", f"{title}{'-' + member.person.name if member else ''}.pdf")


@bp.get("/<int:application_id>/payment-notice.pdf")
@enterprise_required
def payment_notice(application_id: int):
    """缴费通知: amount and the bank account from config."""
    application = owned_or_404(Application, application_id, enterprise_id=current_user.enterprise_id)
    payment = current_payment(application)
    if payment is None:
        abort(404)
    province = get_province(application.province)
    pdf = render_pdf("documents/payment_notice.html", title="APEC商务旅行卡缴费通知", application=application,
                     province=province, payment=payment, fees=province.config.fees,
                     today=datetime.datetime.now(CHINA).date())
    return file_response(pdf, "application/pdf", f"缴费通知-{application.number}.pdf")
