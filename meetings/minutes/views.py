"""Pages and steps of the minutes (Art. 15-16): the Office's draft, the leader's signature, the
issued document with its distribution, and the public verification page.

Each POST view: fetch through permissions, then infogov.steps.post_step (or run_step) binds the
form, calls the service and says what happened. Templates get the steps the minutes' status
allows (rules.steps_from) and never compare a status. The facts on the minutes page come from
the meeting's record (documents.build_document); only the Office's title, narrative and
distribution are edited here (R-MIN-1).
"""

import logging
from collections.abc import Callable
from functools import partial
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from infogov.client import client_ip
from infogov.reauth import require_recent_second_factor
from infogov.steps import post_step, run_step
from meetings import permissions
from meetings.minutes import pdf, rules, services
from meetings.minutes.documents import build_document
from meetings.minutes.forms import (
    MAX_VERIFY_BYTES,
    MinutesForm,
    ReturnMinutesForm,
    SignMinutesForm,
    VerifyFileForm,
    VerifyNumberForm,
)
from meetings.minutes.models import IssuedMinutes, Minutes, ReadReceipt
from meetings.minutes.rules import Step
from meetings.models import Meeting
from members.http import SignedInRequest
from members.models import Body, User

logger = logging.getLogger(__name__)

# The public verification page checks signatures, which costs real work: each client address
# gets this many checks per window (seconds). Settable as INFOGOV_VERIFY_RATE = (checks, secs).
DEFAULT_VERIFY_RATE = (20, 60)
# A multipart body may exceed the file by its headers; anything beyond this is refused unread.
UPLOAD_OVERHEAD = 64 * 1024
CHAIN_LIMIT = 50  # corrections of corrections: far more than any real chain
TOO_MANY = _lazy("Too many checks from your address; try again in a minute.")


# --- Helpers ------------------------------------------------------------------------------------


def _signer_is_demo() -> bool:
    """Whether new signatures are made with the demo CA (labelled as not legally reliable)."""
    return getattr(settings, "INFOGOV_SIGNER", "demo") == "demo"


def _minutes_for(
    request: SignedInRequest, pk: int, allowed: Callable[[User, Body], bool]
) -> Minutes:
    """The minutes if visible (else 404) and the step ``allowed(user, body)`` (else 403)."""
    minutes = permissions.get_minutes_for_user_or_404(request.user, pk)
    permissions.require(allowed(request.user, minutes.meeting.body))
    return minutes


def _disposition(kind: str, filename: str, fallback: str) -> str:
    """A Content-Disposition with an ASCII fallback and the real name as RFC 5987 filename*."""
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _pdf_response(data: bytes, *, kind: str, filename: str, fallback: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = _disposition(kind, filename, fallback)
    response["Cache-Control"] = "private, no-store"
    return response


def minutes_of_meeting(meeting: Meeting) -> list[Minutes]:
    """The meeting page's Minutes box: once closed, its minutes and their issued numbers."""
    if meeting.status != Meeting.Status.CLOSED:
        return []
    issued = IssuedMinutes.objects.defer("pdf", "content").order_by("id")
    return list(
        meeting.minutes.select_related("corrects")
        .defer("corrects__pdf", "corrects__content")
        .prefetch_related(Prefetch("issued", queryset=issued))
        .order_by("created_at", "id")
    )


# --- The minutes: draft, submit, return, sign ---------------------------------------------------


def _issued_of(minutes: Minutes) -> IssuedMinutes | None:
    """The document issued from ``minutes``, without its PDF, once they are issued."""
    if minutes.status != Minutes.Status.ISSUED:
        return None
    return minutes.issued.defer("pdf", "content").first()


def _render_minutes(
    request: SignedInRequest, minutes: Minutes, *, form: MinutesForm | None = None
) -> HttpResponse:
    user = request.user
    body = minutes.meeting.body
    steps = rules.steps_from(minutes.status)
    can_edit = steps[Step.EDIT] and permissions.can_edit_minutes(user, body)
    can_decide = steps[Step.SIGN] and permissions.can_sign_minutes(user, body)
    if can_edit and form is None:
        form = MinutesForm(
            initial={
                "title": minutes.title,
                "narrative": minutes.narrative,
                "distribution": list(minutes.distribution.values_list("pk", flat=True)),
            }
        )
    context = {
        "minutes": minutes,
        "meeting": minutes.meeting,
        "document": build_document(minutes),
        "issued": _issued_of(minutes),
        "steps": steps,
        "can_edit": can_edit,
        "can_submit": (
            can_edit and steps[Step.SUBMIT] and minutes.meeting.status == Meeting.Status.CLOSED
        ),
        "can_decide": can_decide,
        "can_withdraw": steps[Step.WITHDRAW] and permissions.can_edit_minutes(user, body),
        "form": form if can_edit else None,
        "return_form": ReturnMinutesForm() if can_decide else None,
        "sign_form": SignMinutesForm() if can_decide else None,
        "demo_signer": _signer_is_demo(),
    }
    return render(request, "meetings/minutes_detail.html", context)


@login_required
@require_GET
def minutes_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """The minutes: the facts from the record, the Office's text, and the next step."""
    minutes = permissions.get_minutes_for_user_or_404(request.user, pk)
    return _render_minutes(request, minutes)


@login_required
@require_POST
def minutes_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    """The Office saves the title, the narrative and the units concerned."""
    minutes = _minutes_for(request, pk, permissions.can_edit_minutes)
    form = MinutesForm(request.POST)
    if not form.is_valid():
        # Shown again with the text as typed: a long narrative is not lost to a typo.
        return _render_minutes(request, minutes, form=form)
    # 报送组长 is a button of this form: the text is saved first, then submitted.
    and_submit = "submit" in request.POST
    outcome = run_step(
        request,
        lambda: services.edit_minutes(actor=request.user, minutes=minutes, **form.cleaned_data),
        success=_("Minutes saved."),
    )
    if outcome.done and and_submit:
        run_step(
            request,
            lambda: services.submit_minutes(actor=request.user, minutes=minutes),
            success=_("Submitted to the leader for signature."),
        )
    return redirect(minutes)


@login_required
@require_POST
def minutes_withdraw(request: SignedInRequest, pk: int) -> HttpResponse:
    """The Office takes its submission back before the leader signs it."""
    minutes = _minutes_for(request, pk, permissions.can_edit_minutes)
    return post_step(
        request,
        partial(services.withdraw_minutes, actor=request.user, minutes=minutes),
        success=_("Submission withdrawn: the minutes are a draft again."),
        then=minutes,
    )


@login_required
@require_POST
def minutes_submit(request: SignedInRequest, pk: int) -> HttpResponse:
    minutes = _minutes_for(request, pk, permissions.can_edit_minutes)
    return post_step(
        request,
        partial(services.submit_minutes, actor=request.user, minutes=minutes),
        success=_("Submitted to the leader for signature."),
        then=minutes,
    )


@login_required
@require_POST
def minutes_return(request: SignedInRequest, pk: int) -> HttpResponse:
    """The leader sends the draft back to the Office with comments."""
    minutes = _minutes_for(request, pk, permissions.can_sign_minutes)
    return post_step(
        request,
        partial(services.return_minutes, actor=request.user, minutes=minutes),
        form=ReturnMinutesForm(request.POST),
        success=_("Returned to the Office with your comments."),
        then=minutes,
    )


@login_required
@require_POST
def minutes_sign(request: SignedInRequest, pk: int) -> HttpResponse:
    """Art. 15: the leader signs, giving the password again (R-MIN-3); the rendering and the
    signature then run in the background, and the page follows them."""
    minutes = _minutes_for(request, pk, permissions.can_sign_minutes)
    # R-MIN-3 condition 2: only the signer controls the key when signing: a code from their
    # authenticator within the last minutes, asked once whoever may sign is known.
    return _sign_with_recent_second_factor(request, minutes)


@require_recent_second_factor
def _sign_with_recent_second_factor(request: SignedInRequest, minutes) -> HttpResponse:
    form = SignMinutesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give your password to sign; nothing was signed."))
        return redirect(minutes)
    return post_step(
        request,
        partial(
            services.request_signature, actor=request.user, minutes=minutes, **form.cleaned_data
        ),
        success=_("Signature authorised: the minutes are being numbered, rendered and signed."),
        then=minutes,
    )


@login_required
@require_GET
def minutes_progress(request: SignedInRequest, pk: int) -> HttpResponse:
    """The signing box, polled by htmx; once the worker's step is done (or failed), the whole
    page reloads."""
    minutes = permissions.get_minutes_for_user_or_404(request.user, pk)
    steps = rules.steps_from(minutes.status)
    context = {"minutes": minutes, "issued": _issued_of(minutes), "steps": steps}
    response = render(request, "meetings/minutes_detail.html#signing-progress", context)
    if not steps[Step.ISSUE]:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def minutes_preview(request: SignedInRequest, pk: int) -> HttpResponse:
    """A draft PDF: no number, a watermark, no signature; rendered on request, never kept."""
    minutes = permissions.get_minutes_for_user_or_404(request.user, pk)
    document = build_document(minutes)
    try:
        rendered = pdf.render_minutes(document)
    except (pdf.MinutesRenderError, OSError) as error:
        logger.warning("Preview of minutes %s failed", minutes.pk, exc_info=True)
        messages.error(request, _("The preview could not be made: %(error)s") % {"error": error})
        return redirect(minutes)
    return _pdf_response(
        rendered.data,
        kind="inline",
        filename=f"{minutes.title}（草稿）.pdf",
        fallback=f"minutes-{minutes.pk}-draft.pdf",
    )


# --- Issued minutes -----------------------------------------------------------------------------


def _correction_chain(issued: IssuedMinutes) -> list[IssuedMinutes]:
    """Every document of ``issued``'s chain of corrections, the first issued first."""
    documents = IssuedMinutes.objects.defer("pdf", "content")
    earlier: list[IssuedMinutes] = []
    current = issued
    while current.corrects_id is not None and len(earlier) < CHAIN_LIMIT:
        current = documents.get(pk=current.corrects_id)
        earlier.append(current)
    later: list[IssuedMinutes] = []
    current = issued
    while len(later) < CHAIN_LIMIT:
        following = documents.filter(corrects=current).order_by("id").first()
        if following is None:
            break
        later.append(following)
        current = following
    return [*reversed(earlier), issued, *later]


@login_required
@require_GET
def issued_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """The issued document: its number, signature, distribution with read receipts and its
    corrections (R-MIN-2). Seen by those who see the meeting and the units it was sent to."""
    user = request.user
    issued = permissions.get_issued_for_user_or_404(user, pk)
    meeting = issued.minutes.meeting
    receipts = ReadReceipt.objects.select_related("reader").order_by("read_at", "id")
    distributions = list(
        issued.distributions.select_related("unit")
        .prefetch_related(Prefetch("receipts", queryset=receipts))
        .order_by("unit__order", "unit__code")
    )
    chain = _correction_chain(issued)
    newer = chain[-1] if chain[-1] is not issued else None
    can_edit = permissions.can_edit_minutes(user, meeting.body)
    pending = (
        Minutes.objects.filter(corrects=issued).exclude(status=Minutes.Status.ISSUED).first()
        if can_edit
        else None
    )
    context = {
        "issued": issued,
        "meeting": meeting,
        "document": issued.content,
        "distributions": distributions,
        "chain": chain if len(chain) > 1 else [],
        "newer": newer,
        "pending_correction": pending,
        "can_view_meeting": permissions.can_view(user, meeting),
        "can_correct": can_edit and pending is None and newer is None,
    }
    return render(request, "meetings/minutes_issued.html", context)


@login_required
@require_GET
def issued_pdf(request: SignedInRequest, pk: int) -> HttpResponse:
    """The PDF exactly as issued; opening it is a read receipt for people of a unit it was
    sent to (Art. 16)."""
    issued = permissions.get_issued_for_user_or_404(request.user, pk, with_pdf=True)
    services.record_reading(reader=request.user, issued=issued)
    return _pdf_response(
        bytes(issued.pdf),
        kind="attachment",
        filename=f"{issued.number}.pdf",
        fallback=f"minutes-{issued.year}-{issued.sequence}.pdf",
    )


@login_required
@require_POST
def issued_correct(request: SignedInRequest, pk: int) -> HttpResponse:
    """R-MIN-2: the Office starts a correction, a new document that names this one."""
    issued = permissions.get_issued_for_user_or_404(request.user, pk)
    permissions.require(permissions.can_edit_minutes(request.user, issued.minutes.meeting.body))
    outcome = run_step(
        request,
        lambda: services.start_correction(actor=request.user, issued=issued),
        success=_(
            "A correction of %(number)s is drafted; it is issued with a new number when signed."
        )
        % {"number": issued.number},
    )
    return redirect(outcome.result if outcome.done else issued)


# --- Public verification ------------------------------------------------------------------------


def _over_limit(request: HttpRequest) -> bool:
    """Count one check for the client's address (infogov.client.client_ip: behind the trusted
    proxies) in the shared cache (Redis with REDIS_URL, so every process counts the same);
    True once it is past its allowance."""
    checks, window = getattr(settings, "INFOGOV_VERIFY_RATE", DEFAULT_VERIFY_RATE)
    key = f"infogov:verify:{client_ip(request)}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > checks


def _too_large(request: HttpRequest) -> bool:
    """Whether the request body announces more than a PDF of the limit; read before parsing."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > MAX_VERIFY_BYTES + UPLOAD_OVERHEAD


@never_cache
@csrf_exempt  # checked by _verify below, once the size is known to be sane
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Anyone checks issued minutes: upload the PDF, or give its number (the QR code on every
    PDF links here with ?number=). No sign-in; the upload is CSRF-protected.

    An upload announcing more than the limit is refused before its body is read: the CSRF
    check would otherwise parse it first (hence csrf_exempt here and csrf_protect inside)."""
    if request.method == "POST" and _too_large(request):
        return _render_verify(
            request,
            refusal=_("The file is larger than %(limit)d MB; minutes are far smaller.")
            % {"limit": MAX_VERIFY_BYTES // (1024 * 1024)},
            status=413,
        )
    return _verify(request)


@csrf_protect
def _verify(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if _over_limit(request):
            return _render_verify(request, refusal=TOO_MANY, status=429)
        try:
            file_form = VerifyFileForm(request.POST, request.FILES)
        except MultiPartParserError:
            return _render_verify(request, refusal=_("The upload could not be read."), status=400)
        if not file_form.is_valid():
            return _render_verify(request, file_form=file_form)
        upload = file_form.cleaned_data["file"]
        verification: services.Verification | None = services.verify_file(upload.read())
        return _render_verify(request, verification=verification, checked_file=upload.name)
    number_form = VerifyNumberForm(request.GET if "number" in request.GET else None)
    if not (number_form.is_bound and number_form.is_valid()):
        return _render_verify(request, number_form=number_form)
    if _over_limit(request):
        return _render_verify(request, number_form=number_form, refusal=TOO_MANY, status=429)
    number = number_form.cleaned_data["number"]
    verification = services.verify_number(number)
    return _render_verify(
        request,
        number_form=number_form,
        verification=verification,
        checked_number=number,
        unknown_number=verification is None,
    )


def _render_verify(
    request: HttpRequest,
    *,
    number_form: VerifyNumberForm | None = None,
    file_form: VerifyFileForm | None = None,
    status: int = 200,
    **context,
) -> HttpResponse:
    context.update(
        number_form=number_form or VerifyNumberForm(),
        file_form=file_form or VerifyFileForm(),
        limit_mb=MAX_VERIFY_BYTES // (1024 * 1024),
    )
    return render(request, "meetings/verify.html", context, status=status)
