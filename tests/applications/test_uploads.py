import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.uploads import MAX_FILE_BYTES, MAX_FILES_PER_APPLICATION, upload_check

from .conftest import PDF, PNG


def ooxml(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("报告.pdf", PDF, "pdf"),
        ("照片.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 32, "jpg"),
        ("截图.png", PNG, "png"),
        ("说明.docx", ooxml("docx"), "docx"),
        ("明细.xlsx", ooxml("xlsx"), "xlsx"),
    ],
)
def test_accepted_types_are_recognised_by_their_content(name, content, kind):
    checked = upload_check(SimpleUploadedFile(name, content))
    assert (checked.kind, checked.size, checked.original_name) == (kind, len(content), name)
    assert len(checked.sha256) == 64


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("病毒.exe", b"MZ\x90\x00", "只接受"),
        ("伪装.pdf", b"MZ\x90\x00" + b"\x00" * 20, "内容与扩展名 .pdf 不符"),
        ("伪装.png", PDF, "内容与扩展名 .png 不符"),
        ("表格.xlsx", ooxml("docx"), "内容与扩展名 .xlsx 不符"),
        ("空.pdf", b"", "文件为空"),
        ("脚本.pdf.html", PDF, "只接受"),
    ],
)
def test_wrong_type_or_disguised_content_is_refused_with_the_file_named(name, content, message):
    with pytest.raises(ValidationError) as err:
        upload_check(SimpleUploadedFile(name, content))
    assert message in err.value.messages[0]
    assert name in err.value.messages[0]


def test_a_file_over_10_mb_is_refused():
    big = SimpleUploadedFile("大.pdf", PDF + b"\x00" * (MAX_FILE_BYTES - len(PDF) + 1))
    with pytest.raises(ValidationError) as err:
        upload_check(big)
    assert "超过 10 MB" in err.value.messages[0]
    # exactly 10 MB is fine
    assert (
        upload_check(SimpleUploadedFile("刚好.pdf", PDF + b"\x00" * (MAX_FILE_BYTES - len(PDF)))).size
        == MAX_FILE_BYTES
    )


def test_the_number_of_files_is_limited():
    with pytest.raises(ValidationError) as err:
        upload_check(SimpleUploadedFile("a.pdf", PDF), existing_count=MAX_FILES_PER_APPLICATION)
    assert "最多" in err.value.messages[0]


@pytest.mark.django_db
def test_stored_files_get_random_names_not_the_uploaded_one(
    policy, enterprise_user, audit_material, settings
):
    from applications import services

    from .conftest import at, pdf

    application = services.application_submit(
        policy=policy,
        enterprise=enterprise_user.enterprise,
        applicant=enterprise_user,
        declared={"rd_expense": "2500000", "contact_name": "李", "contact_phone": "13812345678"},
        files=[(audit_material.pk, pdf("../../etc/审计报告.pdf"))],
        now=at(2025, 9, 26),
    )
    stored = application.files.get()
    assert stored.original_name == "审计报告.pdf"
    assert "审计报告" not in stored.file.name and ".." not in stored.file.name
    assert stored.file.name.startswith("applications/") and stored.file.name.endswith(".pdf")
    assert (settings.MEDIA_ROOT / stored.file.name).read_bytes() == PDF


def test_upload_errors_are_in_english_when_english_is_chosen():
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as err:
        upload_check(SimpleUploadedFile("伪装.pdf", b"MZ\x90\x00" + b"\x00" * 20))
    assert err.value.messages == ["“伪装.pdf”: the content does not match the extension .pdf"]
