"""The English catalogues: one ``locale/en/LC_MESSAGES/django.po`` per app, edited in place
(makemessages, then the translations typed into the ``.po``, then compilemessages; see
docs/web.md). This module finds what is wrong with them, for ``manage.py messages_check``
and the test that runs it:

- an entry without a translation, or marked fuzzy (gettext ignores fuzzy entries, so the
  page would show the Chinese text);
- a ``.mo`` that does not hold the ``.po``'s translations (compilemessages not run);
- with ``extract=True``, a text in the app's code or templates that the catalogue lacks:
  makemessages is run on a copy of the app and the merged copy is checked the same way.

Portal-wide templates (``templates/``) belong to the ``portal.web`` catalogue.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings

LANGUAGE = "en"
# The app whose catalogue also holds the texts of the portal-wide templates.
TOPLEVEL_TEMPLATES_APP = "portal.web"
TOPLEVEL_TEMPLATES_LINK = "_toplevel_templates"


@dataclass(frozen=True)
class Problem:
    catalogue: str  # the app's label
    msgid: str
    reason: str  # "untranslated", "fuzzy", "not compiled", "not in the catalogue"


@dataclass(frozen=True)
class Catalogue:
    app: str
    app_path: Path

    @property
    def po(self) -> Path:
        return self.app_path / "locale" / LANGUAGE / "LC_MESSAGES" / "django.po"

    @property
    def mo(self) -> Path:
        return self.po.with_suffix(".mo")


def catalogues() -> list[Catalogue]:
    """The project's apps that have an English catalogue (third-party apps left out)."""
    base = Path(settings.BASE_DIR).resolve()
    out = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if not path.is_relative_to(base) or ".venv" in path.relative_to(base).parts:
            continue
        catalogue = Catalogue(app=config.name, app_path=path)
        if catalogue.po.exists():
            out.append(catalogue)
    return sorted(out, key=lambda c: c.app)


def _key(entry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


def _translation(entry) -> object:
    return dict(entry.msgstr_plural) if entry.msgid_plural else entry.msgstr


def po_problems(app: str, po_path: Path, *, mo_path: Path | None = None) -> list[Problem]:
    """Untranslated and fuzzy entries of a ``.po``; with ``mo_path``, its translations that
    the ``.mo`` lacks or holds differently."""
    po = polib.pofile(str(po_path))
    problems = []
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        if "fuzzy" in entry.flags:
            problems.append(Problem(app, entry.msgid, "fuzzy"))
        elif not entry.translated():
            problems.append(Problem(app, entry.msgid, "untranslated"))
    if mo_path is not None:
        compiled = {_key(e): _translation(e) for e in polib.mofile(str(mo_path))} if mo_path.exists() else {}
        for entry in po.translated_entries():
            if compiled.get(_key(entry)) != _translation(entry):
                problems.append(Problem(app, entry.msgid, "not compiled"))
    return problems


def _extracted(catalogue: Catalogue, workdir: Path) -> Path:
    """makemessages on a copy of the app (its catalogue included): the catalogue as it would
    be with every text of the app's code and templates merged in."""
    copy = workdir / catalogue.app.replace(".", "_")
    shutil.copytree(catalogue.app_path, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo"))
    if catalogue.app == TOPLEVEL_TEMPLATES_APP:
        shutil.copytree(Path(settings.BASE_DIR) / "templates", copy / TOPLEVEL_TEMPLATES_LINK)
    env = {**os.environ, "PYTHONPATH": str(settings.BASE_DIR), "DJANGO_SETTINGS_MODULE": "portal.settings"}
    run = subprocess.run(
        [
            sys.executable,
            "-P",
            "-m",
            "django",
            "makemessages",
            "-l",
            LANGUAGE,
            "--no-location",
            "--no-obsolete",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
    )
    if run.returncode:
        raise RuntimeError(f"makemessages failed for {catalogue.app}: {run.stderr.strip()[-2000:]}")
    return copy / "locale" / LANGUAGE / "LC_MESSAGES" / "django.po"


def catalogue_problems(catalogue: Catalogue, *, extract: bool = False) -> list[Problem]:
    """Everything wrong with one app's English catalogue (see the module's docstring)."""
    found = po_problems(catalogue.app, catalogue.po, mo_path=catalogue.mo)
    if not extract:
        return found
    known = {(p.msgid, p.reason) for p in found}
    with tempfile.TemporaryDirectory(prefix="messages-check-") as tmp:
        merged = po_problems(catalogue.app, _extracted(catalogue, Path(tmp)))
    # a text that makemessages adds (untranslated, or fuzzy with a guessed translation)
    return found + [
        Problem(catalogue.app, p.msgid, "not in the catalogue")
        for p in merged
        if (p.msgid, p.reason) not in known
    ]


def problems(*, extract: bool = False) -> list[Problem]:
    """Everything wrong with every app's English catalogue."""
    with ThreadPoolExecutor(max_workers=4) as pool:  # makemessages runs in subprocesses
        per_app = pool.map(lambda c: catalogue_problems(c, extract=extract), catalogues())
        return [problem for found in per_app for problem in found]
