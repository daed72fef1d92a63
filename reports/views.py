"""Report, export and import pages. Thin: a scoped selector (404 when out of reach), a
builder or a service, a response."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import access_working_organization, require_roles
from accounts.enums import CASEWORK_ROLES, Role
from accounts.selectors import casework_organizations, organization_for
from cases.access import access_young_person
from cases.enums import AccessAction, AccessChannel
from cases.filters import caseload_query
from cases.services import access_log_record, access_log_record_many
from core.periods import Period
from referrals import selectors as referral_selectors
from referrals.enums import Side
from referrals.filters import ReferralFilter
from reports import exports, pdf, selectors, services, spreadsheets
from reports.forms import (
    ActivityReportForm,
    AdvisorChoiceForm,
    ImportMappingForm,
    ImportUploadForm,
    OrganizationChoiceForm,
)

PREVIEW_ROWS = 10
IMPORT_SESSION_KEY = "reports.import"


def _pdf_response(content: bytes, stem: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{slugify(stem) or "report"}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    can_casework = bool(casework_organizations(user))
    can_receive = bool(referral_selectors.destination_org_ids(user))
    if not (can_casework or can_receive):
        raise Http404
    organizations = selectors.supervised_organizations(user)
    current = request.current_organization
    supervised = organization_for(user, roles={Role.SUPERVISOR}, current=current)
    period = selectors.previous_month()
    context = {
        "can_casework": can_casework,
        "can_receive": can_receive,
        "is_supervisor": bool(organizations),
        "advisor_form": AdvisorChoiceForm(advisors_by_org=selectors.reportable_advisors(user)),
        "organization_form": OrganizationChoiceForm(
            organizations=organizations,
            initial={"organization": supervised.pk if supervised else None},
        ),
        "activity_form": ActivityReportForm(
            organizations=organizations,
            initial={
                "start": period.start,
                "end": period.end,
                "organization": supervised.pk if supervised else None,
            },
        ),
        "import_organization": (
            selectors.import_organization(user, current=current) if can_casework else None
        ),
    }
    return render(request, "reports/index.html", context)


def _log_export(request: HttpRequest, young_people, detail: str) -> None:
    """A report or an export over many files: one access-log entry per file it holds, in
    one INSERT … SELECT built from the same query as its rows (README, "Read log")."""
    access_log_record_many(
        user=request.user,
        young_people=young_people,
        action=AccessAction.EXPORTED,
        channel=AccessChannel.EXPORT,
        detail=detail,
    )


# --- PDFs --------------------------------------------------------------------------------


def _file_pdf(request: HttpRequest, pk: int, detail: str, stem: str, render_for) -> HttpResponse:
    """A PDF of one file. The look is logged before the PDF is built: the young person's
    own copy lists it too."""
    young_person = access_young_person(request.user, pk)
    access_log_record(
        user=request.user,
        young_person=young_person,
        action=AccessAction.VIEW_FILE,
        channel=AccessChannel.EXPORT,
        detail=detail,
    )
    return _pdf_response(render_for(young_person), f"{stem}-{young_person.pk}")


def young_person_summary(request: HttpRequest, pk: int) -> HttpResponse:
    return _file_pdf(
        request,
        pk,
        _("PDF: file summary"),
        _("file summary"),
        lambda yp: pdf.render_file_summary(pdf.file_summary_data(yp, generated_by=request.user)),
    )


def my_pathway(request: HttpRequest, pk: int) -> HttpResponse:
    return _file_pdf(
        request,
        pk,
        _("PDF: my pathway"),
        _("my pathway"),
        lambda yp: pdf.render_my_pathway(pdf.my_pathway_data(yp)),
    )


def caseload_pdf(request: HttpRequest) -> HttpResponse:
    """Own caseload by default; `?advisor=<pk>` or `?scope=organization[&organization=<pk>]`
    for supervisors."""
    user = request.user
    require_roles(request.user)
    advisor_pk = request.GET.get("advisor")
    if advisor_pk:
        found = selectors.reportable_advisor_get(user, advisor_pk)
        if found is None:
            raise Http404
        advisor, organization = found
        rows = selectors.caseload_report_rows(user, referent=advisor, organization=organization)
        subject, per_organization = advisor.display_name, False
    elif request.GET.get("scope") == "organization":
        organization = selectors.supervised_organization_get(
            user, request.GET.get("organization"), current=request.current_organization
        )
        if organization is None:
            raise Http404
        rows = selectors.caseload_report_rows(user, organization=organization)
        subject, per_organization = organization.name, True
    else:
        organization = organization_for(
            user, roles=CASEWORK_ROLES, current=request.current_organization
        )
        rows = selectors.caseload_report_rows(user)
        subject, per_organization = user.display_name, False
    _log_export(request, rows, _("PDF: caseload report"))
    data = pdf.caseload_report_data(
        rows,
        subject=subject,
        organization=organization,
        per_organization=per_organization,
        generated_by=user,
    )
    return _pdf_response(pdf.render_caseload_report(data), _("caseload"))


def activity_pdf(request: HttpRequest) -> HttpResponse:
    """`?start=&end=&organization=`; without them, last month of the current organisation
    (or the first supervised one)."""
    organizations = selectors.supervised_organizations(request.user)
    if not organizations:
        raise Http404
    default = selectors.supervised_organization_get(
        request.user, request.GET.get("organization"), current=request.current_organization
    )
    if default is None:
        raise Http404  # another organisation's figures: out of reach, not a form error
    period = selectors.previous_month()
    data = {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "organization": str(default.pk),
    }
    data.update({k: v for k, v in request.GET.items() if k in data})
    form = ActivityReportForm(data, organizations=organizations)
    if not form.is_valid():
        return render(request, "reports/activity_form.html", {"form": form}, status=400)
    organization = selectors.supervised_organization_get(
        request.user, form.cleaned_data["organization"]
    )
    if organization is None:
        raise Http404
    report = pdf.activity_report_data(
        organization,
        Period(form.cleaned_data["start"], form.cleaned_data["end"]),
        generated_by=request.user,
    )
    return _pdf_response(pdf.render_activity_report(report), _("activity report"))


# --- CSV exports -------------------------------------------------------------------------


def export_caseload(request: HttpRequest) -> HttpResponse:
    """The caseload list with the same query string as /young-people/."""
    require_roles(request.user)
    filterset = caseload_query(request).filterset
    if not filterset.is_valid():
        return render(
            request, "reports/export_error.html", {"errors": filterset.errors}, status=400
        )
    _log_export(request, filterset.qs, _("CSV: caseload"))
    rows = selectors.with_step_counts(filterset.qs).iterator(chunk_size=exports.CHUNK)
    return exports.csv_response(_("caseload"), exports.CASELOAD_COLUMNS, rows)


def _export_referrals(request: HttpRequest, side: str, stem: str) -> HttpResponse:
    _organization, qs = referral_selectors.referrals_of_side(
        request.user, side=side, current=request.current_organization
    )
    filterset = ReferralFilter(request.GET, queryset=qs)
    if not filterset.is_valid():
        return render(
            request, "reports/export_error.html", {"errors": filterset.errors}, status=400
        )
    detail = _("CSV: %(export)s") % {"export": stem}
    _log_export(request, referral_selectors.referred_young_people(filterset.qs), detail)
    rows = referral_selectors.waiting_first(filterset.qs).iterator(chunk_size=exports.CHUNK)
    return exports.csv_response(stem, exports.REFERRAL_COLUMNS, rows)


def export_referrals_received(request: HttpRequest) -> HttpResponse:
    if not referral_selectors.destination_org_ids(request.user):
        raise Http404
    return _export_referrals(request, Side.DESTINATION, _("referrals received"))


def export_referrals_sent(request: HttpRequest) -> HttpResponse:
    require_roles(request.user)
    return _export_referrals(request, Side.SENDER, _("referrals sent"))


def export_access_log(request: HttpRequest, pk: int) -> HttpResponse:
    # Not logged itself, as the page it exports (README, "Read log").
    young_person = access_young_person(request.user, pk)
    rows = selectors.access_log_rows(young_person).iterator(chunk_size=exports.CHUNK)
    stem = _("access log")
    return exports.csv_response(f"{stem}-{young_person.pk}", exports.ACCESS_LOG_COLUMNS, rows)


# --- import ------------------------------------------------------------------------------
# The uploaded text waits in the session between the steps (at most 2 MB): nothing is
# written to the files of young people before the last step, and the session entry is
# dropped once the import is done or cancelled.


def _import_organization(request: HttpRequest):
    """Where an import lands: the current organisation if the user does casework there."""
    return access_working_organization(
        request.user, roles=CASEWORK_ROLES, current=request.current_organization
    )


def _pending(request: HttpRequest, organization) -> dict | None:
    pending = request.session.get(IMPORT_SESSION_KEY)
    if not pending or pending.get("organization") != organization.pk:
        return None
    return pending


def _parsed(pending: dict) -> spreadsheets.ParsedFile:
    return spreadsheets.parse_text(
        pending["text"], name=pending["name"], encoding=pending["encoding"]
    )


@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    organization = _import_organization(request)
    posted = request.method == "POST"
    form = ImportUploadForm(request.POST, request.FILES) if posted else ImportUploadForm()
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            parsed = spreadsheets.parse_csv(content, name=upload.name or "")
        except spreadsheets.ImportFileError as error:
            form.add_error("file", error.message)
        else:
            text, _encoding = spreadsheets.decode(content)
            request.session[IMPORT_SESSION_KEY] = {
                "organization": organization.pk,
                "name": parsed.name[:200],
                "encoding": parsed.encoding,
                "text": text,
                "mapping": spreadsheets.guess_mapping(parsed.headers),
            }
            return redirect("reports:import_mapping")
    return render(
        request,
        "reports/import_upload.html",
        {
            "form": form,
            "organization": organization,
            "pending": _pending(request, organization),
            "fields": spreadsheets.IMPORT_FIELDS,
            "max_rows": spreadsheets.IMPORT_MAX_ROWS,
        },
    )


@require_http_methods(["GET", "POST"])
def import_mapping(request: HttpRequest) -> HttpResponse:
    organization = _import_organization(request)
    pending = _pending(request, organization)
    if pending is None:
        return redirect("reports:import_upload")
    parsed = _parsed(pending)
    first = parsed.rows[0][1]
    samples = {i: first[i] for i in range(min(len(first), len(parsed.headers))) if first[i]}
    initial = {k: (str(v) if v is not None else "") for k, v in pending["mapping"].items()}
    posted = request.method == "POST"
    form = ImportMappingForm(
        request.POST if posted else None, headers=parsed.headers, samples=samples, initial=initial
    )
    if posted and form.is_valid():
        pending["mapping"] = form.mapping()
        request.session[IMPORT_SESSION_KEY] = pending
        return redirect("reports:import_preview")
    return render(
        request,
        "reports/import_mapping.html",
        {"form": form, "parsed": parsed, "organization": organization},
    )


def _run(request: HttpRequest, organization, pending: dict, *, dry_run: bool):
    parsed = _parsed(pending)
    report = services.young_people_import(
        actor=request.user,
        organization=organization,
        rows=parsed.rows,
        mapping=pending["mapping"],
        dry_run=dry_run,
    )
    return parsed, report


def _preview_rows(parsed: spreadsheets.ParsedFile, mapping: dict, report) -> list[dict]:
    errors = report.errors_by_line()
    rows = []
    for line, cells in parsed.rows[:PREVIEW_ROWS]:
        values = [
            (label, spreadsheets.mapped_cell(cells, mapping.get(name)))
            for name, label in spreadsheets.IMPORT_FIELDS
        ]
        rows.append({"line": line, "values": values, "errors": errors.get(line, [])})
    return rows


def import_preview(request: HttpRequest) -> HttpResponse:
    organization = _import_organization(request)
    pending = _pending(request, organization)
    if pending is None:
        return redirect("reports:import_upload")
    try:
        parsed, report = _run(request, organization, pending, dry_run=True)
    except spreadsheets.ImportFileError as error:
        messages.error(request, error.message)
        return redirect("reports:import_mapping")
    return render(
        request,
        "reports/import_preview.html",
        {
            "parsed": parsed,
            "report": report,
            "organization": organization,
            "fields": spreadsheets.IMPORT_FIELDS,
            "preview": _preview_rows(parsed, pending["mapping"], report),
            "preview_count": PREVIEW_ROWS,
        },
    )


@require_POST
def import_run(request: HttpRequest) -> HttpResponse:
    organization = _import_organization(request)
    pending = _pending(request, organization)
    if pending is None:
        return redirect("reports:import_upload")
    dry_run = request.POST.get("action") != "import"
    try:
        parsed, report = _run(request, organization, pending, dry_run=dry_run)
    except spreadsheets.ImportFileError as error:
        messages.error(request, error.message)
        return redirect("reports:import_mapping")
    if report.committed:
        del request.session[IMPORT_SESSION_KEY]
        messages.success(
            request,
            _("Import done: %(created)d created, %(updated)d updated, %(skipped)d unchanged.")
            % {"created": report.created, "updated": report.updated, "skipped": report.skipped},
        )
    return render(
        request,
        "reports/import_result.html",
        {"parsed": parsed, "report": report, "organization": organization},
        status=200 if report.ok else 400,
    )


@require_POST
def import_cancel(request: HttpRequest) -> HttpResponse:
    _import_organization(request)
    request.session.pop(IMPORT_SESSION_KEY, None)
    messages.success(request, _("Import cancelled: nothing was imported."))
    return redirect("reports:import_upload")
