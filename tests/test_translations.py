"""The Indonesian catalogue is complete: every translatable string in the code has a translation, none is
fuzzy, and the compiled .mo matches the .po."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def test_every_entry_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(PO))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


def test_the_compiled_catalogue_matches_the_source():
    source = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.pofile(str(PO)).translated_entries()}
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.mofile(str(MO)) if e.msgid}
    assert compiled == source


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs gettext (apt-get install gettext)")
def test_no_string_in_the_code_is_missing_from_the_catalogue(tmp_path):
    """Extract the strings again into a copy of the project and compare with the committed catalogue."""
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns(".venv", "var", "node_modules", "__pycache__", ".git", "bench", "tests", "docs")
    shutil.copytree(ROOT, copy, ignore=ignore)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "id", "--no-location", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    fresh = polib.pofile(str(copy / "locale" / "id" / "LC_MESSAGES" / "django.po"))
    missing = sorted(e.msgid for e in fresh if not e.obsolete and (not e.translated() or e.fuzzy))
    assert missing == []


def test_the_interface_speaks_indonesian():
    with translation.override("id"):
        assert translation.gettext("Queue") == "Antrean"
        assert translation.gettext("Claim") == "Ambil"
