"""Checks on uploaded materials: extension, the file's real content (magic bytes), size
and count. The stored name is random (``models._upload_to``); the original name is kept
only for display."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES_PER_APPLICATION = 20
ALLOWED = {".pdf": "pdf", ".jpg": "jpg", ".jpeg": "jpg", ".png": "png", ".docx": "docx", ".xlsx": "xlsx"}


@dataclass(frozen=True)
class CheckedUpload:
    kind: str
    size: int
    sha256: str
    original_name: str


def _sniff(head: bytes, fileobj) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        # Office Open XML: a zip whose parts say what it is.
        try:
            fileobj.seek(0)
            with zipfile.ZipFile(fileobj) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return "docx"
            if any(n.startswith("xl/") for n in names):
                return "xlsx"
    return None


def upload_check(upload: UploadedFile, *, existing_count: int = 0) -> CheckedUpload:
    """Raise ValidationError (Chinese message naming the file) unless the upload is acceptable."""
    name = PurePath(upload.name or "").name
    if existing_count >= MAX_FILES_PER_APPLICATION:
        raise ValidationError(
            _("材料文件最多 %(max)s 个，“%(name)s”未能上传")
            % {"max": MAX_FILES_PER_APPLICATION, "name": name}
        )
    ext = PurePath(name).suffix.lower()
    if ext not in ALLOWED:
        raise ValidationError(_("“%(name)s”：只接受 PDF、JPG、PNG、DOCX、XLSX 文件") % {"name": name})
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("“%(name)s”：文件为空") % {"name": name})
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError(_("“%(name)s”：文件大小超过 10 MB") % {"name": name})
    upload.seek(0)
    head = upload.read(8)
    data_for_zip = upload if hasattr(upload, "seek") else io.BytesIO(upload.read())
    kind = _sniff(head, data_for_zip)
    if kind != ALLOWED[ext]:
        raise ValidationError(_("“%(name)s”：文件内容与扩展名 %(ext)s 不符") % {"name": name, "ext": ext})
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(kind=kind, size=upload.size, sha256=digest.hexdigest(), original_name=name[:200])
