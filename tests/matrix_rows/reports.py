"""Reports, exports and imports. File PDFs and the access-log export follow the full-file
rule; lists follow their page (caseload: caseworkers; referrals received: anyone on a
receiving side); organisation reports are for supervisors. Import steps without an
upload in the session send a caseworker back to the upload page (302)."""

from tests.matrix import CASEWORKERS, FULL, Row, only, yp

SUPERVISORS = {"supervisor", "other_supervisor"}
RECEIVERS = CASEWORKERS | {"partner"}

ROWS: dict[str, Row] = {
    "reports:index": Row(lambda w: {}, only(RECEIVERS)),
    "reports:young_person_summary": Row(yp, only(FULL)),
    "reports:my_pathway": Row(yp, only(FULL)),
    "reports:export_access_log": Row(yp, only(FULL)),
    # Everyone with a caseload prints their own, even an empty one.
    "reports:caseload_pdf": Row(lambda w: {}, only(CASEWORKERS)),
    # Without dates: last month of the supervisor's own organisation.
    "reports:activity_pdf": Row(lambda w: {}, only(SUPERVISORS)),
    "reports:export_caseload": Row(lambda w: {}, only(CASEWORKERS)),
    "reports:export_referrals_received": Row(lambda w: {}, only(RECEIVERS)),
    "reports:export_referrals_sent": Row(lambda w: {}, only(CASEWORKERS)),
    "reports:import_upload": Row(lambda w: {}, only(CASEWORKERS)),
    "reports:import_mapping": Row(lambda w: {}, only(CASEWORKERS, 302)),
    "reports:import_preview": Row(lambda w: {}, only(CASEWORKERS, 302)),
    "reports:import_run": Row(lambda w: {}, only(CASEWORKERS, 302), method="post"),
    "reports:import_cancel": Row(lambda w: {}, only(CASEWORKERS, 302), method="post"),
}
