"""What an uploaded PDF may not carry: encryption, scripts, actions that run by themselves or
reach outside the document, embedded files.

A PDF is read with pypdf, and refused, not cleaned, when it has any of these. Rewriting the
file to drop them (flattening) would hand the office a document the enterprise never saw,
with a form, a layer or a digital signature (an electronic 营业执照, an e-invoice) quietly
broken, and it would still trust a parser to have found everything a hostile file hides;
refusing keeps what the office opens byte for byte what the enterprise sent, and costs a
legitimate user one step: 打印为PDF (print to PDF), or export again without scripts and
attachments, which every PDF program offers. An encrypted PDF is refused too: the office
could not open one that needs a password, nor this check read one whose objects are
enciphered.

The check is bounded: it reads the catalog (its open action, additional actions, the
JavaScript and EmbeddedFiles name trees, an XFA form), the outline, the form fields and, on
at most MAX_PAGES pages, each page's additional actions and annotations, and it looks at most
at MAX_OBJECTS objects in all. A file that pypdf cannot read at all is refused as damaged.
"""

import io
import logging

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

MAX_PAGES = 2000
# Objects looked at in all, about three for each annotation: a 100-page scan needs a few hundred,
# a long report with a link on every line some thousands.
MAX_OBJECTS = 50_000

# Actions a click may run: move within the document, open a web address, a viewer command (next page).
CLICKED_ACTIONS = {"/GoTo", "/URI", "/Named"}
# Actions that run without a click (on opening the file or a page, on a field's events): only moving
# within the document, what many programs write to open at the first page.
AUTOMATIC_ACTIONS = {"/GoTo"}
# Annotations that carry a file or play media, which can run scripts of its own.
ATTACHMENT_ANNOTATIONS = {"/FileAttachment"}
MEDIA_ANNOTATIONS = {"/Screen", "/Movie", "/Sound", "/RichMedia", "/3D"}

REEXPORT = "请使用“打印为PDF”，或在原软件中重新导出为不含脚本、动作和附件的PDF后上传。"
DAMAGED = "PDF文件已损坏或无法识别，请重新导出（或使用“打印为PDF”）后上传。"
ENCRYPTED = "该PDF已加密，请上传未加密的PDF：去除打开密码和权限密码后另存，或使用“打印为PDF”重新生成后上传。"
TOO_COMPLEX = "该PDF结构过于复杂，无法完成安全检查。" + REEXPORT
SCRIPT = "JavaScript 脚本"
LAUNCH = "启动外部程序的动作"
AUTOMATIC = "打开文件时自动执行的动作"
OUTSIDE = "打开其他文件或提交数据的动作"
MEDIA = "嵌入的多媒体内容"

# pypdf tells at WARNING level of every flaw it works around; a hostile file has thousands.
logging.getLogger("pypdf").setLevel(logging.ERROR)


class _Refused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def pdf_problem(data: bytes) -> str | None:
    """None if the PDF may be stored as it is; else why not and what to do, for the user."""
    try:
        _Inspection(PdfReader(io.BytesIO(data))).run()
    except _Refused as refused:
        return refused.message
    except Exception:  # noqa: BLE001 - a malformed file makes pypdf raise anything from KeyError to RecursionError
        # pypdf may fail on the encryption dictionary itself (an unknown algorithm): still say why.
        return ENCRYPTED if b"/Encrypt" in data else DAMAGED
    return None


def _active(what: str) -> _Refused:
    return _Refused(f"该PDF含有{what}，为安全起见不能上传。" + REEXPORT)


def _attached() -> _Refused:
    return _Refused("该PDF内嵌了附件文件，不能上传。请删除PDF中的附件或使用“打印为PDF”重新生成；"
                    "其他文件请作为单独的附件上传。")


class _Inspection:
    def __init__(self, reader: PdfReader):
        self.reader = reader
        self.visited = 0
        self.seen: set = set()

    def _resolve(self, value):
        """The object behind `value` (an indirect reference or the object itself), counted."""
        if value is None:
            return None
        self.visited += 1
        if self.visited > MAX_OBJECTS:
            raise _Refused(TOO_COMPLEX)
        return value.get_object()

    def _dict(self, value) -> DictionaryObject | None:
        value = self._resolve(value)
        return value if isinstance(value, DictionaryObject) else None

    def run(self) -> None:
        if self.reader.is_encrypted:
            raise _Refused(ENCRYPTED)
        root = self.reader.root_object
        self._catalog(root)
        self._pages(root.get("/Pages"))

    def _pages(self, tree) -> None:
        """Each page's additional actions and annotations, walking the page tree (not pypdf's list
        of pages, which reads every page first), so the budget stops a hostile file early."""
        pending, pages = [tree], 0
        while pending:
            node = self._dict(pending.pop())
            if node is None or not self._first_visit(node):
                continue
            if "/Kids" in node:
                kids = self._resolve(node.get("/Kids"))
                if isinstance(kids, ArrayObject):
                    pending.extend(reversed(kids))
                continue
            pages += 1
            if pages > MAX_PAGES:
                raise _Refused(f"该PDF页数过多（超过 {MAX_PAGES} 页），请只保留所需页面后上传。")
            self._additional_actions(node.get("/AA"))
            annotations = self._resolve(node.get("/Annots"))
            if isinstance(annotations, ArrayObject):
                for annotation in annotations:
                    self._annotation(self._dict(annotation))
        if pages == 0:
            raise ValueError("no page")

    def _catalog(self, root: DictionaryObject) -> None:
        opening = self._resolve(root.get("/OpenAction"))
        if isinstance(opening, DictionaryObject):  # an action; an array is a destination (a page to open at)
            self._action(opening, AUTOMATIC_ACTIONS)
        self._additional_actions(root.get("/AA"))
        names = self._dict(root.get("/Names"))
        if names is not None:
            if "/JavaScript" in names:
                raise _active(SCRIPT)
            if "/EmbeddedFiles" in names:
                raise _attached()
        if "/Collection" in root:  # a PDF portfolio: a wrapper around embedded files
            raise _attached()
        form = self._dict(root.get("/AcroForm"))
        if form is not None:
            if "/XFA" in form:  # an XFA form runs its own scripts
                raise _active(SCRIPT)
            self._fields(form.get("/Fields"))
        outlines = self._dict(root.get("/Outlines"))
        if outlines is not None:
            self._outline(outlines.get("/First"))

    def _fields(self, fields) -> None:
        """Form fields (and their kids) may have actions on their events (keystroke, format, calculate)."""
        pending = [fields]
        while pending:
            value = self._resolve(pending.pop())
            if isinstance(value, ArrayObject):
                pending.extend(value)
            elif isinstance(value, DictionaryObject) and self._first_visit(value):
                self._additional_actions(value.get("/AA"))
                self._clicked(value.get("/A"))
                pending.append(value.get("/Kids"))

    def _outline(self, item) -> None:
        """A bookmark's action runs when it is clicked."""
        pending = [item]
        while pending:
            entry = self._dict(pending.pop())
            if entry is None or not self._first_visit(entry):
                continue
            self._clicked(entry.get("/A"))
            pending.extend((entry.get("/Next"), entry.get("/First")))

    def _annotation(self, annotation: DictionaryObject | None) -> None:
        if annotation is None:
            return
        subtype = annotation.get("/Subtype")
        if subtype in ATTACHMENT_ANNOTATIONS:
            raise _attached()
        if subtype in MEDIA_ANNOTATIONS:
            raise _active(MEDIA)
        self._clicked(annotation.get("/A"))
        self._additional_actions(annotation.get("/AA"))  # entering, leaving, focusing: no click needed

    def _clicked(self, action) -> None:
        action = self._dict(action)
        if action is not None:
            self._action(action, CLICKED_ACTIONS)

    def _additional_actions(self, triggers) -> None:
        """/AA: actions run on an event (opening a page, closing the file, entering a field)."""
        triggers = self._dict(triggers)
        for trigger in (triggers or {}).values():
            action = self._dict(trigger)
            if action is not None:
                self._action(action, AUTOMATIC_ACTIONS)

    def _action(self, action: DictionaryObject, allowed: set[str]) -> None:
        """Refused unless the action and every action chained after it (/Next) is of an `allowed` type."""
        pending = [action]
        while pending:
            current = self._resolve(pending.pop())
            if isinstance(current, ArrayObject):
                pending.extend(current)
                continue
            if not isinstance(current, DictionaryObject) or not self._first_visit(current):
                continue
            kind = current.get("/S")
            if kind == "/JavaScript" or "/JS" in current:
                raise _active(SCRIPT)
            if kind == "/Launch":
                raise _active(LAUNCH)
            if kind not in allowed:
                raise _active(AUTOMATIC if allowed is AUTOMATIC_ACTIONS else OUTSIDE)
            pending.append(current.get("/Next"))

    def _first_visit(self, obj) -> bool:
        """False for a dictionary seen before: a loop of /Next, /Kids or outline entries ends there."""
        reference = getattr(obj, "indirect_reference", None)
        key = (reference.idnum, reference.generation) if reference is not None else id(obj)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True
