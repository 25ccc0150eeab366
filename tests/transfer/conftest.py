import io
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import models

from voxpop.transfer.commands import import_run


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def run_import(db):
    """Run `voxpop import` as the command line does; returns the exit code and both outputs."""
    def run(fmt, path, *, desk="english", language=None, base_url=None, key_from="path", as_pending=False):
        out, err = io.StringIO(), io.StringIO()
        code = import_run(fmt=fmt, path=str(path), desk_key=desk, language=language, base_url=base_url,
                          key_from=key_from, as_pending=as_pending, stdout=out, stderr=err)
        return Run(code, out.getvalue(), err.getvalue())
    return run


def stored_anywhere(needle: str) -> list[str]:
    """Every model field, in every table, whose stored value contains `needle`."""
    found = []
    for model in apps.get_models():
        text_fields = [f.name for f in model._meta.concrete_fields
                       if isinstance(f, (models.CharField, models.TextField, models.JSONField))]
        if not text_fields:
            continue
        for row in model.objects.values_list(*text_fields):
            for name, value in zip(text_fields, row):
                if value is not None and needle in str(value):
                    found.append(f"{model._meta.label}.{name}")
    return found
