"""Dashboard exports: one table computes only its own part, and typed text never runs as a formula."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from dashboard import exports
from dashboard.exports import Table, neutralise_formula, table_csv, tables_xlsx

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+2", "-2+3", "@SUM(A1)", "plain", "\tcmd"]


def test_csv_cells_starting_a_formula_are_plain_text():
    body = table_csv(Table("t", "T", ["=Header", "n"], [[text, -5] for text in HOSTILE])).decode("utf-8-sig")
    lines = body.splitlines()
    assert lines[0] == "'=Header,n"
    assert lines[1] == '"\'=HYPERLINK(""http://evil.example"",""x"")",-5'  # numbers stay numbers
    assert [line.split(",")[0] for line in lines[2:5]] == ["'+1+2", "'-2+3", "'@SUM(A1)"]
    assert lines[5].startswith("plain,")


def test_xlsx_cells_starting_a_formula_are_written_as_text():
    book = load_workbook(io.BytesIO(tables_xlsx([Table("t", "T", ["h", "n"], [[t, -5] for t in HOSTILE])], title="x")))
    sheet = book["t"]
    values = [row[0].value for row in sheet.iter_rows(min_row=2)]
    types = {row[0].data_type for row in sheet.iter_rows(min_row=2)}
    assert values == [neutralise_formula(text) for text in HOSTILE]
    assert types == {"s"}  # no cell is a formula ("f")
    assert sheet["B2"].value == -5


@pytest.mark.django_db
def test_a_table_export_computes_only_its_own_part(world, monkeypatch):
    def refuse(**kwargs):
        raise AssertionError("another table's query ran")

    for name, (part, _selector, build) in list(exports.TABLES.items()):
        if name != "budget":
            monkeypatch.setitem(exports.TABLES, name, (part, refuse, build))
    monkeypatch.setattr("dashboard.views.dashboard_get", refuse)
    client = Client()
    client.force_login(world.mayor)
    answer = client.get("/dashboard/export/budget.csv")
    assert answer.status_code == 200
    header = answer.content.decode("utf-8-sig").splitlines()[0]
    assert header == 'Галузь,Проєкти,"Заплановано, грн","Витрачено, грн","Витрачено, %"'
