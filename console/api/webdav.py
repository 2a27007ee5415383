"""Execution logs over WebDAV, read-only, where Salesforce's tools read job logs on an
instance: sfcc-ci at `/on/demandware.servlet/webdav/Sites/Impex/log/<log_file_name>`, the B2C
CLI at the execution's `log_file_path`, `/Sites/LOGS/jobs/<job_id>/<log_file_name>` (folder
names ignore case, as SFCC's do).

The name in the URL only finds an execution row, as the pages' downloads go by execution id:
the file served is that execution's own log, never a path a client chose. A bearer token whose
role may download logs is needed.
"""

from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from urllib.parse import quote

from django.http import FileResponse, HttpResponse

from console.api.auth import api_view, fault
from jobs.joblog import log_path
from jobs.models import JobExecution

PREFIX = "/on/demandware.servlet/webdav/Sites/"
READ = "download"


@api_view(forbidden="ClientAccessForbiddenException", GET=READ, HEAD=READ, PROPFIND=READ)
def sites(request, rest):
    execution = _execution_for(rest)
    path = log_path(execution.log_file_name) if execution else None
    if path is None or not path.is_file():
        return fault(404, "NotFoundException", f"/{rest} was not found.")
    if request.method == "PROPFIND":
        return _propfind(request.path, path)
    if request.method == "HEAD":
        response = HttpResponse(content_type="text/plain; charset=utf-8")
        response["Content-Length"] = str(path.stat().st_size)
        return response
    return FileResponse(open(path, "rb"), content_type="text/plain; charset=utf-8")  # noqa: SIM115


def _execution_for(rest: str) -> JobExecution | None:
    parts = rest.strip("/").split("/")
    folder = [part.lower() for part in parts[:-1]]
    name = parts[-1]
    if not name or name.startswith("."):
        return None
    found = JobExecution.objects.filter(log_file_name=name)
    if folder == ["impex", "log"]:
        return found.order_by("-id").first()
    if len(parts) == 4 and folder[:2] == ["logs", "jobs"]:
        return found.filter(job_id=parts[2]).order_by("-id").first()
    return None


def _propfind(href: str, path) -> HttpResponse:
    stat = path.stat()
    modified = format_datetime(datetime.fromtimestamp(stat.st_mtime, UTC), usegmt=True)
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<d:multistatus xmlns:d="DAV:"><d:response>'
        f"<d:href>{escape(quote(href))}</d:href>"
        "<d:propstat><d:prop>"
        f"<d:displayname>{escape(path.name)}</d:displayname>"
        "<d:resourcetype/>"
        f"<d:getcontentlength>{stat.st_size}</d:getcontentlength>"
        "<d:getcontenttype>text/plain</d:getcontenttype>"
        f"<d:getlastmodified>{modified}</d:getlastmodified>"
        "</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>"
        "</d:response></d:multistatus>"
    )
    return HttpResponse(xml.encode(), status=207, content_type="application/xml; charset=utf-8")
