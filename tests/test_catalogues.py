"""The English catalogues are complete: every text of the pages, the admin and the API has an
English translation in its app's ``.po``, none is fuzzy, and every ``.mo`` is compiled from its
``.po`` (``manage.py messages_check``; see docs/web.md)."""

import shutil

import polib
from django.core.management import call_command

from portal.catalogues import Catalogue, catalogue_problems, catalogues, po_problems


def test_every_app_with_texts_has_an_english_catalogue():
    apps = {c.app for c in catalogues()}
    assert {"portal.web", "portal.accounts", "policies", "applications", "appeals", "api"} <= apps


def test_every_text_has_a_compiled_english_translation():
    # the check needs gettext's xgettext and msgmerge (the CI image installs gettext)
    assert shutil.which("xgettext") and shutil.which("msgmerge"), "install gettext to check the catalogues"
    # when every app's catalogue is checked against its code and templates, then nothing is
    # missing (on failure the command's output above lists each text)
    call_command("messages_check")


def _catalogue(tmp_path, entries: list[polib.POEntry]) -> Catalogue:
    app = Catalogue(app="demo", app_path=tmp_path)
    app.po.parent.mkdir(parents=True)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.extend(entries)
    po.save(str(app.po))
    return app


def test_the_check_finds_untranslated_fuzzy_and_uncompiled_entries(tmp_path):
    # given a catalogue with a good entry, an empty one and a fuzzy guess, compiled before
    # the good entry's translation changed
    app = _catalogue(
        tmp_path,
        [
            polib.POEntry(msgid="政策库", msgstr="Policy library"),
            polib.POEntry(msgid="我的政策", msgstr=""),
            polib.POEntry(
                msgid="%(date)s 已截止申报", msgstr="%(date)s deadline", flags=["fuzzy", "python-format"]
            ),
        ],
    )
    po = polib.pofile(str(app.po))
    po.save_as_mofile(str(app.mo))
    po.find("政策库").msgstr = "Policies"
    po.save()
    # when it is checked
    found = {(p.msgid, p.reason) for p in po_problems(app.app, app.po, mo_path=app.mo)}
    # then each problem is named
    assert found == {
        ("我的政策", "untranslated"),
        ("%(date)s 已截止申报", "fuzzy"),
        ("政策库", "not compiled"),
    }


def test_the_check_finds_a_page_text_that_is_not_in_the_catalogue(tmp_path):
    # given an app whose template and code have texts, one of which its catalogue lacks
    app = _catalogue(tmp_path, [polib.POEntry(msgid="已翻译的文字", msgstr="Translated text")])
    polib.pofile(str(app.po)).save_as_mofile(str(app.mo))
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text(
        '{% load i18n %}<h1>{% translate "新的页面文字" %}</h1>'
    )
    (tmp_path / "views.py").write_text(
        'from django.utils.translation import gettext as _\n\nTITLE = _("已翻译的文字")\n'
    )
    # when it is checked with extraction
    found = [(p.msgid, p.reason) for p in catalogue_problems(app, extract=True)]
    # then the new text is reported and the translated one is not
    assert found == [("新的页面文字", "not in the catalogue")]
