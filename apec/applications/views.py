"""The enterprise's application screens: 业务申报, each province's steps, 提交, 撤回.

Every step saves on POST (the draft survives logout); a step that does not
validate keeps what was typed and answers 422. Forms work as plain POSTs
with 303 redirects; HTMX only swaps parts (material slots, member rows).
"""

import datetime

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from .. import audit
from ..enterprises import books
from ..enterprises.forms import PersonForm
from ..enterprises.models import TRADE_KIND_LABELS, Person
from ..enterprises.persons import PersonError, find_person, person_form_data
from ..enterprises.views import person_form_page
from ..economies import economy_name
from ..extensions import db
from ..materials.checks import UploadRejected
from ..materials.models import Material
from ..materials.operations import file_to_replace, remove_material, replace_material, upload_material
from ..provinces.registry import get_province
from ..statuses import CARD_STATUS_LABELS
from ..timefmt import parse_date
from ..web.access import enterprise_required, owned_or_404
from ..web.forms import checked_field
from ..web.htmx import is_htmx_request, triggering_field
from ..web.templating import render
from ..web.ratelimit import configured, limiter
from ..web.urls import row_id
from . import drafts
from .businesses import BUSINESSES, HANDOVER_LABELS, LOST_CARD, business_of, new_passport, reason_label
from .eligibility import (
    approved_economies, declaration_of, member_cards, parent_cards, prohibited_cases, prohibited_declaration,
    prohibited_declaration_refusal,
)
from .forms import (
    AddMemberForm,
    BusinessForm,
    CombinedRelatedForm,
    ContactForm,
    CustomMaterialForm,
    DeclarationForm,
    NoticeForm,
    PickupForm,
    ReportForm,
)
from .models import Application, ApplicationMember
from .requirements import materials_of, missing_items, published_standards, slot_files, spec_by_code, specs_for
from .states import PARENT_TYPES, RELATED, STAFF_ONLY_EVENTS
from .steps import pickup_label, step_after, step_before, step_label, step_with, steps_of, wizard_steps
from .workflow import (
    WorkflowError,
    end_member,
    action_label,
    available_businesses,
    business_refusal,
    may_edit,
    refusal,
    status_label,
    transition,
)

bp = Blueprint("apply", __name__, url_prefix="/apply")
# Every page words a status as the application's province does (status_of(application)).
bp.add_app_template_global(status_label, "status_of")
bp.add_app_template_global(STAFF_ONLY_EVENTS, "staff_only_events")
bp.add_app_template_global(action_label, "action_label")
bp.add_app_template_global(lambda application: may_edit(application, current_user), "may_edit")
bp.add_app_template_global(lambda application: drafts.may_delete(application, current_user), "may_delete")
bp.add_app_template_global(lambda application: available_businesses(application, current_user), "businesses_of")
bp.add_app_template_global(business_of, "business_of")
bp.add_app_template_global(reason_label, "reason_of")
bp.add_app_template_global(new_passport, "new_passport_of")
bp.add_app_template_global(HANDOVER_LABELS, "handover_labels")
bp.add_app_template_global(TRADE_KIND_LABELS, "trade_kind_labels")
bp.add_app_template_global(prohibited_declaration, "prohibited_declaration_of")
bp.add_app_template_global(step_label, "step_label")
bp.add_app_template_global(pickup_label, "pickup_label")


bp.add_app_template_global(lambda application: member_cards(application, statuses=tuple(CARD_STATUS_LABELS)),
                           "cards_concerned")


@bp.app_template_global("material_name")
def material_name(application, material) -> str:
    """A file's material with whose it is: 个人事项表（宋文泰）, so a 团组's files can be told apart."""
    member = next((m for m in application.members if m.id == material.member_id), None)
    return f"{material.title}（{member.shown.name}）" if member else material.title


@bp.app_template_global("fills_in_members")
def fills_in_members(application) -> bool:
    """A 团组 (Guangxi) fills each member in on its members step, files and all; a related business
    picks its members from the parent's and uploads their files on the materials step."""
    return get_province(application.province).fills_in_members and application.parent_id is None

STARTABLE_TYPES = ("new", "renew")
# --- helpers --------------------------------------------------------------------------------


def own_application(application_id: int) -> Application:
    return owned_or_404(Application, application_id, enterprise_id=current_user.enterprise_id)


def editable_application(application_id: int) -> Application:
    application = own_application(application_id)
    if not drafts.is_editable(application):
        abort(409)
    return application


def step_url(application, step) -> str:
    return url_for("apply.step", application_id=application.id, step=step)


def enterprise_persons():
    return db.session.scalars(
        select(Person).where(Person.enterprise_id == current_user.enterprise_id).order_by(Person.id)
    ).all()


def flagged_sections(application) -> set[str]:
    """Sections the office asked to change (已反馈审核意见), to highlight on the steps."""
    if application.status != "returned":
        return set()
    return set((application.extra.get("review_opinion") or {}).get("fields", []))


def saving() -> bool:
    """True when this request saves its step: a POST from a page read at the current version.

    A POST from an out-of-date page (another tab saved meanwhile) saves nothing: the step is
    shown as it is stored now, with what the user typed listed beside it (409).
    """
    return request.method == "POST" and g.get("stale_input") is None


def refuse_if_stale(application, step) -> None:
    if request.method != "POST" or is_member_check(step):
        return
    if request.form.get("version", type=int) != application.version:
        g.stale_input = request.form.copy()


def is_member_check(step) -> bool:
    """成员核查 on Guangxi's member form: a look-up, not a save (its page keeps the version it
    was read at, so a later save from it is still checked)."""
    return step == "members" and request.method == "POST" and request.form.get("action") == "check"


def posted(form_class, **kwargs):
    """A step's form: from the POST when this request saves, else from what is stored."""
    return form_class(**kwargs) if saving() else form_class(formdata=None, **kwargs)


def typed_but_not_saved(form, typed) -> list[tuple[str, str]]:
    """The fields of a refused (stale) save whose typed value differs from the stored one."""
    if form is None:
        return []
    shown = []
    for field in form:
        if field.type in ("CSRFTokenField", "HiddenField", "SubmitField") or field.name not in typed:
            continue
        value = typed.get(field.name, "").strip()
        stored = "" if field.data is None else str(field.data)
        if not value or value == stored or (field.type == "BooleanField" and bool(field.data)):
            continue
        choices = dict((str(key), label) for key, label, *_ in (getattr(field, "choices", None) or []))
        shown.append((field.label.text, choices.get(value, value)))
    return shown


def is_draft_save() -> bool:
    return request.method == "POST" and request.form.get("action") == "draft"


def still_missing(form) -> list[str]:
    """What a draft still lacks, as a neutral list; the form's errors are cleared, since a
    draft may be incomplete (they come back when the user goes on to the next step)."""
    if form is None or not form.errors:
        return []
    items = []
    for field in form:
        if field.errors:
            items.append(f"{field.label.text}：{'；'.join(field.errors)}")
            field.errors = []
    form.form_errors = []
    return items


def render_step(application, province, step, status=200, refused=False, template=None, **context):
    """The step's page. After 暂存 with incomplete input (kept as a draft) it says 已暂存 with
    what is missing (200); a refusal (`refused`: e.g. a card holder as applicant) stays an error."""
    stale_input = g.get("stale_input")
    if stale_input is not None:
        status = 409
        stale_input = typed_but_not_saved(context.get("form"), stale_input)
    draft_saved = saving() and is_draft_save() and not refused
    missing = still_missing(context.get("form")) if draft_saved or request.method == "GET" else []
    if draft_saved:
        status = 200
    return render(
        template or f"applications/step_{step}.html", application=application, province=province, step=step,
        flagged=flagged_sections(application), stale_input=stale_input, draft_saved=draft_saved,
        still_missing=missing,
        steps=wizard_steps(province, application), previous_step=step_before(province, application, step),
        next_step=step_after(province, application, step), status=status, **context,
    )


def advance(application, province, step):
    """After a saved step: stay on 暂存, else go to the next step."""
    if request.form.get("action") == "draft":
        flash(f"已{province.config.wizard.draft_label}，可随时回来继续填写。", "success")
        return redirect(step_url(application, step), code=303)
    following = step_after(province, application, step)
    return redirect(step_url(application, following) if following else url_for(
        "user_center.application_detail", application_id=application.id), code=303)


def step_form(form_class, application, step, **kwargs):
    """The step's form from the POST; on GET, from what was typed last time and not saved.

    A form rebuilt from unsaved input is validated again, so its errors show
    as they did when the user left (even after logging out and back in).
    """
    if not saving():
        # A refused (stale) save shows what is stored, not input another tab kept unsaved.
        unsaved = drafts.unsaved_input(application, step) if g.get("stale_input") is None else None
        if unsaved:
            form = form_class(formdata=MultiDict(unsaved), meta={"csrf": False}, **kwargs)
            form.validate()
            return form
    return posted(form_class, **kwargs)


# --- 业务申报: choose and start -------------------------------------------------------------


@bp.get("/")
@enterprise_required
def start_page():
    province = get_province(current_user.province)
    types = [(code, label) for code, label in province.business_types() if code in STARTABLE_TYPES]
    related = [(code, label) for code, label in province.business_types() if code in RELATED]
    standards = {code: published_standards(province, code) for code, _ in types + related}
    return render("applications/start.html", business_types=types, related_types=related,
                  standards_of=standards)[0]


@bp.post("/start")
@enterprise_required
def start():
    business_type = request.form.get("business_type")
    province = get_province(current_user.province)
    if business_type not in STARTABLE_TYPES or business_type not in province.config.business_types:
        abort(400)
    application = drafts.start_application(current_user.enterprise, current_user, business_type)
    return redirect(step_url(application, steps_of(province, business_type)[0]), code=303)


# --- 关联业务: started from a 新办/续办 (its parent) ---------------------------------------------


@bp.get("/<int:parent_id>/related/<business_type>")
@enterprise_required
def confirm_related(parent_id: int, business_type: str):
    """提前制卡's dialog as a page of its own (so it works without JavaScript): the economies
    approved so far, and 【确定】 to start. The other businesses start straight from their button."""
    parent = own_application(parent_id)
    if (refused := business_refusal(parent, business_type, current_user)) is not None:
        return render("applications/conflict.html", application=parent, message=refused.message,
                      status=refused.status)
    approved = [(member.shown.name, [economy_name(code) for code in approved_economies(member)])
                for member in parent.members]
    return render("applications/related_confirm.html", parent=parent, business_type=business_type,
                  approved=approved)[0]


@bp.post("/<int:parent_id>/related/<business_type>")
@enterprise_required
def start_related(parent_id: int, business_type: str):
    """Start the business on this parent; for 换补卡 and 注销卡 chosen by its card, only that card's
    holder at first (more of the 团组 can be added on the members step)."""
    parent = own_application(parent_id)
    try:
        application = drafts.start_related(parent, current_user, business_type,
                                           person_id=row_id(request.form.get("person_id")))
    except WorkflowError as refused:
        return render("applications/conflict.html", application=parent, message=refused.message,
                      status=refused.status)
    return redirect(first_step_url(application), code=303)


@bp.app_template_global("first_step_url")
def first_step_url(application) -> str:
    return step_url(application, steps_of(get_province(application.province), application.business_type)[0])


def parents_allowing(business_type: str | None = None) -> list:
    """The enterprise's 新办/续办 on which a related business (this one, or any) may be started now,
    newest first, each with the businesses it allows."""
    parents = db.session.scalars(select(Application).where(
        Application.enterprise_id == current_user.enterprise_id, Application.business_type.in_(PARENT_TYPES),
        Application.number.is_not(None)).order_by(Application.first_submitted_at.desc(), Application.id.desc()))
    found = [(parent, available_businesses(parent, current_user)) for parent in parents]
    return [(parent, allowed) for parent, allowed in found if allowed and (business_type is None or business_type in allowed)]


@bp.get("/related/<business_type>")
@enterprise_required
def choose_parent(business_type: str):
    """选择团组 / 选择APEC卡 (seed 002 §2.2–2.5): the applications (or, for 换补卡 and 注销卡, the
    cards) this business may be started on."""
    province = get_province(current_user.province)
    if business_type not in RELATED or business_type not in province.config.business_types:
        abort(404)
    parents = [parent for parent, _ in parents_allowing(business_type)]
    business = BUSINESSES[business_type]
    cards = [(card, parent) for parent in parents for card in parent_cards(parent)] if business.about_a_card else []
    # 更换护照 is for one person (one new passport): chosen by name.
    persons = [(member, parent) for parent in parents for member in parent.members] \
        if business_type == "passport" else []
    return render("applications/choose_parent.html", business_type=business_type, business=business,
                  parents=parents, cards=cards, persons=persons, status_hint=PARENT_STATUS_HINTS)[0]


PARENT_STATUS_HINTS = {"early": "APEC经济体审核中且已有部分经济体批准", "passport": "APEC经济体审核中（尚未制卡）",
                       "replace": "已制卡（已提前制卡、已自取或已邮寄）", "cancel": "已制卡（已提前制卡、已自取或已邮寄）"}


@bp.route("/related", methods=["GET", "POST"])
@enterprise_required
def combined_related():
    """Hebei's one business 制卡、换卡 (seed 003 §1.2): choose the kind (提前制卡, a kind of 换卡,
    更换护照信息, 注销卡) and the 申报 it is for, then its own steps."""
    province = get_province(current_user.province)
    if not province.config.wizard.combined_related:
        abort(404)
    parents = parents_allowing()
    form = CombinedRelatedForm(kinds=related_kinds(province),
                               parents=[(parent, status_label(parent)) for parent, _ in parents])
    status = 200
    if form.validate_on_submit():
        business_type, reason = form.chosen_kind()
        parent = own_application(int(form.parent.data))
        try:
            application = drafts.start_related(parent, current_user, business_type, reason=reason)
            return redirect(first_step_url(application), code=303)
        except WorkflowError as refused:
            form.parent.errors.append(refused.message)
    if request.method == "POST":
        status = 422
    return render("applications/combined_related.html", form=form, parents=parents, status=status)


def related_kinds(province) -> list[tuple[str, str]]:
    """The kinds of Hebei's 制卡、换卡: each business, 换补卡 once per reason (补卡 for a lost card)."""
    kinds = []
    for business_type in RELATED:
        if business_type not in province.config.business_types:
            continue
        if business_type == "replace":
            kinds += [(f"replace:{code}", f"{'补卡' if code == LOST_CARD else '换卡'}（{label}）")
                      for code, label in BUSINESSES["replace"].reasons]
        else:
            kinds.append((business_type, province.label(business_type)))
    return kinds


# --- the steps ------------------------------------------------------------------------------


@bp.route("/<int:application_id>/<step>", methods=["GET", "POST"])
@enterprise_required
def step(application_id: int, step: str):
    application = own_application(application_id)
    province = get_province(application.province)
    if step not in steps_of(province, application.business_type):
        abort(404)
    if not drafts.is_editable(application):
        if request.method == "POST":
            return render("applications/conflict.html", application=application, status=409,
                          message="该申请单已提交，无需重复提交，也不能再修改。")
        return redirect(url_for("user_center.application_detail", application_id=application.id))
    refuse_if_stale(application, step)
    return STEP_VIEWS[step](application, province)


def notice_step(application, province):
    form = posted(NoticeForm)
    if saving() and form.validate():
        drafts.acknowledge_notice(application)
        return advance(application, province, "notice")
    status = 422 if saving() else 200
    return render_step(application, province, "notice", status=status, form=form, refused=True)


def contact_form(application, province, persons):
    wizard = province.config.wizard
    needs_applicant = province.config.workflow.application_unit == "single"
    form_class = DeclarationForm if wizard.declaration else ContactForm
    enterprise = application.enterprise
    defaults = {"contact_name": application.contact_name, "contact_phone": application.contact_phone}
    extra = {}
    if province.payment.voucher_at_submission:
        invoice = application.invoice_snapshot or {}
        defaults.update(invoice_title=invoice.get("title", ""), invoice_tax_number=invoice.get("tax_number", ""))
        extra["invoices"] = books.entries(books.INVOICES)
    if application.members:
        defaults["applicant"] = str(application.members[0].person_id)
    if wizard.declaration:
        declaration = declaration_of(application)
        defaults.update(employees=enterprise.employees, tax_grade=enterprise.tax_grade or "",
                        trade_kind=enterprise.trade_kind or "", trade_note=declaration.get("trade_note", ""),
                        tax_proof=declaration.get("tax_proof") or "grade",
                        social_insurance_months=declaration.get("social_insurance_months"),
                        social_insurance_matches=bool(declaration.get("social_insurance_matches")),
                        not_prohibited=prohibited_declaration_refusal(province, application) is None)
        rules = province.config.eligibility
        extra.update(rules=rules, prohibited=prohibited_cases(province, application.business_type),
                     prohibited_title=rules.prohibited_title)
    return step_form(form_class, application, "form", data=defaults, persons=persons,
                     needs_applicant=needs_applicant, **extra)


def business_form(application):
    """在线填表 of a related business, from what is stored (or was typed and kept)."""
    business = business_of(application)
    province = get_province(application.province)
    invoice = application.invoice_snapshot or {}
    passport = new_passport(application) or {}
    defaults = {
        "contact_name": application.contact_name, "contact_phone": application.contact_phone,
        "reason": application.reason, "reason_other": application.reason_other,
        "handover_method": application.handover_method, "payment_method": application.payment_method,
        "acknowledged": bool((application.acknowledgements or {}).get(application.business_type)),
        "invoice_title": invoice.get("title", ""), "invoice_tax_number": invoice.get("tax_number", ""),
        **{f"passport_{key}": value for key, value in passport.items()},
    }
    return step_form(BusinessForm, application, "form", data=defaults, business=business,
                     invoices=books.entries(books.INVOICES),
                     payment_methods=province.payment_choices() if business.makes_card else ())


def business_member_rows(application) -> list[dict]:
    """Each applicant with the card the business is about and the economies approved by now."""
    cards = {card.person_id: card for card in member_cards(application)}
    return [{"member": member, "card": cards.get(member.person_id),
             "approved": [economy_name(code) for code in approved_economies(member)]}
            for member in application.members]


def business_form_step(application, province):
    form = business_form(application)
    if saving() and form.validate():
        drafts.save_business(
            application, contact_name=form.contact_name.data, contact_phone=form.contact_phone.data,
            reason=form.reason.data if "reason" in form else None,
            reason_other=form.reason_other.data if "reason" in form else "",
            handover_method=form.handover_method.data if "handover_method" in form else None,
            payment_method=form.payment_method.data if "payment_method" in form else None,
            invoice=form.invoice_data() if "invoice_title" in form else None,
            acknowledged=bool(form.acknowledged.data) if "acknowledged" in form else False,
            new_passport=form.new_passport(),
        )
        return advance(application, province, "form")
    status = 200
    if saving():
        drafts.keep_unsaved(application, "form", request.form)
        status = 422
    return render_step(application, province, "form", status=status, form=form, business=form.business,
                       member_rows=business_member_rows(application), template="applications/step_business.html")


def form_step(application, province):
    if application.parent_id is not None:
        return business_form_step(application, province)
    wizard = province.config.wizard
    needs_applicant = province.config.workflow.application_unit == "single"
    persons = enterprise_persons()
    form = contact_form(application, province, persons)
    refusal = None
    if saving() and form.validate():
        try:
            if needs_applicant:
                person = next((p for p in persons if str(p.id) == form.applicant.data), None)
                if person is None:
                    abort(400)
                drafts.set_applicant(application, person)  # first: a refused applicant saves nothing
            drafts.save_form(
                application, current_user, contact_name=form.contact_name.data,
                contact_phone=form.contact_phone.data,
                declaration=form.declaration() if wizard.declaration else None,
                prohibited=form.prohibited if wizard.declaration else (),
                invoice=form.invoice_data() if "invoice_title" in form else drafts.UNCHANGED,
            )
            return advance(application, province, "form")
        except drafts.DraftError as error:
            refusal = error.message
            form.applicant.errors.append(refusal)
    status = 200
    if saving():
        drafts.keep_unsaved(application, "form", request.form)
        status = 422
    return render_step(application, province, "form", status=status, form=form, needs_applicant=needs_applicant,
                       refused=refusal is not None)


def member_candidates(application):
    """Whom the members step offers to add: the enterprise's persons, or for a related business
    its parent's members (补充信息: add or remove members of the chosen 团组/申报)."""
    if application.parent_id is None:
        return enterprise_persons()
    chosen = {member.person_id for member in application.members}
    return [member.person for member in application.parent.members if member.person_id not in chosen]


def members_step(application, province):
    if fills_in_members(application):
        return member_form_step(application, province)
    form = AddMemberForm(formdata=None, persons=member_candidates(application))
    if saving():
        if application.members:
            return advance(application, province, "members")
        if is_draft_save():
            flash(f"已{province.config.wizard.draft_label}。尚未添加申请人，提交前请至少添加一名。", "success")
            return redirect(step_url(application, "members"), code=303)
        flash("请至少添加一名申请人。", "error")
        return render_step(application, province, "members", status=422, form=form)
    return render_step(application, province, "members", form=form)


def member_form_step(application, province):
    """Guangxi: each member's 基本信息, 护照信息, 照片信息 and 附件信息 on one page, with
    成员核查, 暂存, 保存并下一人 and 保存并下一步."""
    selected = request.args.get("member", "")
    member = None
    if selected.isdigit():
        member = owned_or_404(ApplicationMember, row_id(selected) or 0, application_id=application.id)
    elif selected != "new" and application.members:
        member = application.members[0]
    action = request.form.get("action", "")
    lookup_message = None

    if is_member_check("members"):
        found = find_person(current_user.enterprise_id, request.form.get("id_number", ""))
        if found is None:
            lookup_message = "成员核查：未找到该身份证号的成员，请继续填写。"
            form = PersonForm()
        else:
            lookup_message = f"成员核查：已带出 {found.name} 之前录入的信息，请核对。"
            form = PersonForm(formdata=None, data=person_form_data(found))
            audit.pii_viewed("member_form", current_user, person_id=found.id, application_id=application.id)
            db.session.commit()
        return render_member_form(application, province, member, form, lookup_message=lookup_message,
                                  read_at=request.form.get("version", type=int))

    if not saving():
        data = person_form_data(member.person) if member else None
        if member is not None:
            audit.pii_viewed("member_form", current_user, person_id=member.person_id, application_id=application.id)
            db.session.commit()
        form = step_form(PersonForm, application, f"member-{member.id if member else 'new'}", data=data)
        return render_member_form(application, province, member, form)

    form = PersonForm()
    if member is None and untouched(form):
        return blank_new_member(application, province, action, form)
    unsaved_key = f"member-{member.id if member else 'new'}"
    if not form.validate():
        drafts.keep_unsaved(application, unsaved_key, request.form)
        return render_member_form(application, province, member, form, status=422)
    try:
        member = drafts.save_member(application, member, form.data, current_user)
    except (drafts.DraftError, PersonError) as error:
        target = form.id_number if isinstance(error, PersonError) else form.name
        target.errors.append(error.message)
        drafts.keep_unsaved(application, unsaved_key, request.form)
        return render_member_form(application, province, member, form, status=422, refused=True)
    if action == "next_person":
        flash(f"已保存 {member.person.name}，请填写下一人。", "success")
        return redirect(url_for("apply.step", application_id=application.id, step="members", member="new"), code=303)
    if action == "draft":
        flash(f"已{province.config.wizard.draft_label} {member.person.name} 的信息。", "success")
        return redirect(url_for("apply.step", application_id=application.id, step="members", member=member.id),
                        code=303)
    return advance(application, province, "members")


def untouched(form) -> bool:
    """Nothing typed into the form: every field is empty or still shows its default."""
    return all(field.data in (None, "", field.default) for field in form if field.type != "CSRFTokenField")


def blank_new_member(application, province, action, form):
    """The empty 新增成员 form left open after 保存并下一人 is skipped, not validated."""
    drafts.forget_unsaved(application, "member-new")
    if action == "next" and application.members:
        return advance(application, province, "members")
    if action == "draft":
        flash(f"已{province.config.wizard.draft_label}。新增成员表中尚未填写内容。", "success")
        return redirect(url_for("apply.step", application_id=application.id, step="members", member="new"),
                        code=303)
    flash("请至少填写一名成员的信息。" if action == "next" else "请先填写该成员的信息。", "error")
    return render_member_form(application, province, None, form, status=422, refused=True)


def render_member_form(application, province, member, form, status=200, lookup_message=None, refused=False,
                       read_at=None):
    return render_step(application, province, "members", status=status, refused=refused, form=form, member=member,
                       read_at=read_at,
                       lookup_message=lookup_message, **materials_context(application, province, scopes=("member",)))


def materials_step(application, province):
    if saving():
        return advance(application, province, "materials")
    return render_step(application, province, "materials", **materials_context(application, province))


def pickup_form(application, province, form_class=PickupForm, **kwargs):
    office = province.office(province.first_office(application.enterprise.office_code))
    points = [{"name": office.name, "address": office.address, "phone": office.phone}] + [
        point.model_dump() for point in office.pickup_points
    ]
    default = province.config.workflow.default_pickup
    defaults = {"method": application.pickup_method or (default if default in office.pickup_methods else None)}
    snapshot = application.pickup_snapshot or {}
    if application.pickup_method == "mail":
        defaults.update(snapshot)
    elif application.pickup_method == "self":
        names = [point["name"] for point in points]
        defaults["point"] = str(names.index(snapshot.get("name"))) if snapshot.get("name") in names else "0"
    step = "report" if form_class is ReportForm else "pickup"
    addresses = books.entries(books.ADDRESSES)
    form = step_form(form_class, application, step, data=dict(defaults, **kwargs.pop("defaults", {})),
                     methods=office.pickup_methods, points=points, addresses=addresses, **kwargs)
    return form, office, points


def leave_for_book(application, step, form, save):
    """管理地址簿 / 管理发票信息 without JavaScript: save the step as a draft first (what does not
    validate yet is kept as typed), then open the book's page, which comes back here."""
    book = books.BOOKS.get(request.form["action"].removeprefix("book:"))
    if book is None:
        abort(400)
    if form.validate():
        save()
    else:
        drafts.keep_unsaved(application, step, request.form)
    return redirect(url_for(f"enterprises.{book.name}", next=step_url(application, step)), code=303)


def going_to_book() -> bool:
    return saving() and request.form.get("action", "").startswith("book:")


def pickup_step(application, province):
    form, office, points = pickup_form(application, province)

    def save():
        drafts.save_pickup(application, method=form.method.data, point=form.chosen_point(), address=form.address_data())

    if going_to_book():
        return leave_for_book(application, "pickup", form, save)
    if saving() and form.validate():
        save()
        return advance(application, province, "pickup")
    status = 200
    if saving():
        drafts.keep_unsaved(application, "pickup", request.form)
        status = 422
    return render_step(application, province, "pickup", status=status, form=form, office=office, points=points)


def report_form(application, province):
    invoice = application.invoice_snapshot or {}
    return pickup_form(
        application, province, form_class=ReportForm, payment_methods=province.payment_choices(),
        invoices=books.entries(books.INVOICES),
        defaults={"payment_method": application.payment_method, "purpose": application.purpose,
                  "invoice_title": invoice.get("title", ""), "invoice_tax_number": invoice.get("tax_number", ""),
                  "contact_name": application.contact_name, "contact_phone": application.contact_phone},
    )


def report_step(application, province):
    form, office, points = report_form(application, province)

    def save():
        drafts.save_report(
            application, method=form.method.data, point=form.chosen_point(), address=form.address_data(),
            payment_method=form.payment_method.data if "payment_method" in form else None,
            invoice=form.invoice_data(), purpose=form.purpose.data,
            contact_name=form.contact_name.data, contact_phone=form.contact_phone.data,
        )

    if going_to_book():
        return leave_for_book(application, "report", form, save)
    if saving() and form.validate():
        save()
        if request.form.get("action") == "draft":
            return advance(application, province, "report")
        # Saving just bumped the version; the page's version was checked before saving.
        return submit_application(application, expected_version=application.version)
    status = 200
    if saving():
        drafts.keep_unsaved(application, "report", request.form)
        status = 422
    return render_step(application, province, "report", status=status, form=form, office=office, points=points,
                       **materials_context(application, province, scopes=("application",)))


def confirm_step(application, province):
    if saving():
        return submit_application(application)
    return render_step(application, province, "confirm", problems=missing_items(province, application),
                       **materials_context(application, province))


@bp.post("/<int:application_id>/<step>/check")
@enterprise_required
def check_field(application_id: int, step: str):
    """HTMX: check the one field the user just left and answer with its feedback only."""
    application = editable_application(application_id)
    province = get_province(application.province)
    builders = {
        "form": lambda: business_form(application) if application.parent_id is not None
        else contact_form(application, province, enterprise_persons()),
        "pickup": lambda: pickup_form(application, province)[0],
        "report": lambda: report_form(application, province)[0],
    }
    if step not in builders or step not in steps_of(province, application.business_type):
        abort(404)
    form = builders[step]()
    name = triggering_field()
    if name not in form._fields or name == "csrf_token":
        abort(400)
    return render_template("applications/_field_feedback.html", field=checked_field(form, name))


STEP_VIEWS = {
    "notice": notice_step, "form": form_step, "members": members_step, "materials": materials_step,
    "pickup": pickup_step, "report": report_step, "confirm": confirm_step,
}


# --- submit and withdraw --------------------------------------------------------------------


def submit_application(application, expected_version: int | None = None):
    province = get_province(application.province)
    if expected_version is None:
        expected_version = request.form.get("version", type=int)
    try:
        transition(application, "submit", current_user, expected_version=expected_version)
    except WorkflowError as error:
        if error.status == 422:
            last = steps_of(province, application.business_type)[-1]
            scopes = ("application",) if last == "report" else ("application", "member")
            return render_step(application, province, last, status=422, problems=error.problems,
                               submit_error=error.message, **_last_step_context(application, province),
                               **materials_context(application, province, scopes=scopes))
        return render("applications/conflict.html", application=application, message=error.message,
                      status=error.status)
    flash(f"提交成功，申请单号 {application.number}。", "success")
    return redirect(url_for("user_center.application_detail", application_id=application.id), code=303)


def _last_step_context(application, province) -> dict:
    if steps_of(province, application.business_type)[-1] != "report":
        return {}
    form, office, points = report_form(application, province)
    return {"form": form, "office": office, "points": points}


@bp.post("/<int:application_id>/submit")
@enterprise_required
def submit(application_id: int):
    application = own_application(application_id)
    if not drafts.is_editable(application):
        return render("applications/conflict.html", application=application,
                      message="该申请单已提交，无需重复提交。", status=409)
    return submit_application(application)


@bp.route("/<int:application_id>/withdraw", methods=["GET", "POST"])
@enterprise_required
def withdraw(application_id: int):
    """撤回: a page to confirm (so it works the same without JavaScript), then back to 未提交."""
    application = own_application(application_id)
    if request.method == "GET":
        if (refused := refusal(application, "withdraw", current_user)) is not None:
            return render("applications/conflict.html", application=application, message=refused.message,
                          status=refused.status)
        return render("applications/withdraw_confirm.html", application=application)[0]
    try:
        transition(application, "withdraw", current_user, expected_version=request.form.get("version", type=int))
    except WorkflowError as error:
        return render("applications/conflict.html", application=application, message=error.message,
                      status=error.status)
    flash("已撤回，申请单状态为“未提交”，可编辑后重新提交。", "success")
    return redirect(url_for("user_center.application_detail", application_id=application.id), code=303)


@bp.route("/<int:application_id>/members/<int:member_id>/withdraw", methods=["GET", "POST"])
@enterprise_required
def withdraw_member(application_id: int, member_id: int):
    """撤回该成员: one member of a group or batch withdrawn while the others go on; confirmed on a
    page of its own."""
    application = own_application(application_id)
    member = next((m for m in application.active_members if m.id == member_id), None)
    if member is None:
        abort(404)
    reason = request.form.get("reason", "")
    if request.method == "GET":
        if (refused := refusal(application, "withdraw_member", current_user)) is not None:
            return render("applications/conflict.html", application=application, message=refused.message,
                          status=refused.status)
        return render("applications/withdraw_member_confirm.html", application=application, member=member,
                      reason="")[0]
    try:
        end_member(application, current_user, "withdraw_member", member_id=member.id, reason=reason,
                   expected_version=request.form.get("version", type=int))
    except WorkflowError as error:
        db.session.rollback()
        if error.status == 422:
            return render("applications/withdraw_member_confirm.html", application=application, member=member,
                          reason=reason, error=error.message, status=422)
        return render("applications/conflict.html", application=application, message=error.message,
                      status=error.status)
    flash(f"已撤回 {member.shown.name} 的申请，其他成员继续办理。", "success")
    return redirect(url_for("user_center.application_detail", application_id=application.id), code=303)


@bp.route("/<int:application_id>/delete", methods=["GET", "POST"])
@enterprise_required
def delete_draft(application_id: int):
    """删除 a 暂存: a page to confirm (so it works the same without JavaScript), then gone."""
    application = own_application(application_id)
    if not drafts.may_delete(application, current_user):
        return render("applications/conflict.html", application=application, status=409,
                      message="只能删除尚未提交过的暂存申请单；已提交的申请单请撤回或联系外办。")
    if request.method == "POST":
        drafts.delete_draft(application, current_user)
        flash("已删除该申请单及其上传的材料。", "success")
        return redirect(url_for("user_center.applications"), code=303)
    return render("applications/delete_confirm.html", application=application)[0]


# --- members (团组 / 申报 of several persons) ------------------------------------------------


@bp.post("/<int:application_id>/members/add")
@enterprise_required
def add_member(application_id: int):
    application = editable_application(application_id)
    form = AddMemberForm(persons=member_candidates(application))
    if form.validate_on_submit():
        person = db.session.get(Person, int(form.person.data))
        try:
            drafts.add_member(application, person)
            flash(f"已添加 {person.name}。", "success")
        except drafts.DraftError as error:
            flash(error.message, "error")
    else:
        flash("请选择要添加的成员。", "error")
    return redirect(step_url(application, "members"), code=303)


@bp.route("/<int:application_id>/persons/new", methods=["GET", "POST"])
@enterprise_required
def new_person(application_id: int):
    """添加成员 from an application: saved in 成员管理, joined to a 团组/申报 at once, and back."""
    return person_form_in(editable_application(application_id), None)


@bp.route("/<int:application_id>/persons/<int:person_id>/edit", methods=["GET", "POST"])
@enterprise_required
def edit_person(application_id: int, person_id: int):
    """修改信息 of a person from an application, and back to it."""
    application = editable_application(application_id)
    return person_form_in(application, owned_or_404(Person, person_id, enterprise_id=current_user.enterprise_id))


def person_form_in(application, person):
    """成员管理's person form, leading back to the application's members (or applicant) step; a
    person added there joins the 团组/申报."""
    step = step_with(get_province(application.province), application, "members")
    back = step_url(application, step)

    def saved(saved_person):
        if person is None and step == "members":
            try:
                drafts.add_member(application, saved_person)
            except drafts.DraftError as error:
                flash(error.message, "error")
        return redirect(back, code=303)

    return person_form_page(person, saved=saved, edit_url=lambda found: url_for(
        "apply.edit_person", application_id=application.id, person_id=found.id),
        back=(back, "返回申请单"), nav_section="apply")


@bp.post("/<int:application_id>/members/<int:member_id>/remove")
@enterprise_required
def remove_member(application_id: int, member_id: int):
    application = editable_application(application_id)
    member = owned_or_404(ApplicationMember, member_id, application_id=application.id)
    name = member.person.name
    drafts.remove_member(application, member)
    flash(f"已删除 {name}，其上传的材料一并删除。", "success")
    return redirect(step_url(application, "members"), code=303)


# --- materials ------------------------------------------------------------------------------


def materials_context(application, province, scopes=("application", "member")):
    return {
        "application_specs": specs_for(province, application, "application") if "application" in scopes else [],
        "member_specs": specs_for(province, application, "member") if "member" in scopes else [],
        "custom_materials": lambda member_id: [m for m in materials_of(application, member_id) if m.kind is None],
        "uploaded": lambda member_id, code: slot_files(application, member_id, code),
        "custom_form": CustomMaterialForm(formdata=None),
    }


def slot_response(application, province, member_id, spec, error=None):
    if not is_htmx_request():
        if error:
            flash(error, "error")
        if member_id and fills_in_members(application):
            return redirect(url_for("apply.step", application_id=application.id, step="members", member=member_id),
                            code=303)
        return redirect(step_url(application, step_with(province, application, "materials")), code=303)
    context = materials_context(application, province)
    member = db.session.get(ApplicationMember, member_id) if member_id else None
    if spec is None:
        return render_template("applications/_custom_materials.html", application=application, error=error,
                               member=member, typed_title=request.form.get("title", "") if error else "",
                               **context), 422 if error else 200
    return render_template("applications/_material_slot.html", application=application, spec=spec, member=member,
                           error=error, **context), 422 if error else 200


@bp.post("/<int:application_id>/files")
@enterprise_required
@limiter.limit(configured("upload_per_user"), key_func=lambda: f"user-{current_user.id}")
def upload(application_id: int):
    application = editable_application(application_id)
    province = get_province(application.province)
    code = request.form.get("kind") or None
    member_id = request.form.get("member_id", type=int)
    member = owned_or_404(ApplicationMember, member_id, application_id=application.id) if member_id else None
    spec = spec_by_code(province, application, code) if code else None
    if code and (spec is None or (spec.scope == "member") != (member is not None)):
        abort(400)
    title = (request.form.get("title") or "").strip()[:50]
    upload_file = request.files.get("file")
    error, replaced = None, False
    if spec is None and not title:
        error = "请填写附件名称。"
    elif upload_file is None or not upload_file.filename:
        error = "请选择要上传的文件。"
    else:
        issued_on = None
        raw_date = request.form.get("issued_on", "") if spec is not None and spec.issued_within_months else ""
        issued_on = parse_date(raw_date) if raw_date else None
        if raw_date and issued_on is None:
            error = "开具日期不是有效的日期，请按 年-月-日 填写。"
    if error is None and upload_file is not None and upload_file.filename:
        # Into a full slot only as a replacement of the file the user confirmed (`replace`).
        try:
            files = slot_files(application, member.id if member else None, code) if spec else []
            old = file_to_replace(spec, files, request.form.get("replace", type=int))
            replaced = old is not None
            if replaced:
                replace_material(old, application=application, spec=spec, filename=upload_file.filename,
                                 data=upload_file.read(), actor=current_user, issued_on=issued_on)
            else:
                upload_material(application=application, member_id=member.id if member else None, spec=spec,
                                title=title, filename=upload_file.filename, data=upload_file.read(),
                                actor=current_user, issued_on=issued_on)
        except UploadRejected as rejection:
            error = rejection.message
    if error is None and not is_htmx_request():
        flash("已替换原文件。" if replaced else "上传成功。", "success")
    db.session.expire(application)
    return slot_response(application, province, member.id if member else None, spec, error)


@bp.post("/<int:application_id>/files/<int:material_id>/delete")
@enterprise_required
def delete(application_id: int, material_id: int):
    application = editable_application(application_id)
    province = get_province(application.province)
    material = owned_or_404(Material, material_id, application_id=application.id, superseded_at=None)
    spec = spec_by_code(province, application, material.kind) if material.kind else None
    member_id = material.member_id
    remove_material(application, material, current_user)
    if not is_htmx_request():
        flash("已删除。", "success")
    db.session.expire(application)
    return slot_response(application, province, member_id, spec)

