"""Report PDFs, one module per report: a frozen dataclass built from selectors
(`…_data`), then a pure `render_…(data) -> bytes` (reportlab platypus, through the shared
plumbing of `cases.pdf`)."""

from reports.pdf.activity import ActivityReport, activity_report_data, render_activity_report
from reports.pdf.caseload import CaseloadReport, caseload_report_data, render_caseload_report
from reports.pdf.file_summary import FileSummary, file_summary_data, render_file_summary
from reports.pdf.my_pathway import MyPathway, my_pathway_data, render_my_pathway

__all__ = [
    "ActivityReport",
    "CaseloadReport",
    "FileSummary",
    "MyPathway",
    "activity_report_data",
    "caseload_report_data",
    "file_summary_data",
    "my_pathway_data",
    "render_activity_report",
    "render_caseload_report",
    "render_file_summary",
    "render_my_pathway",
]
