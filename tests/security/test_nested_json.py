"""JSON nested far deeper than a configuration is refused with the reason, never a 500."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from console.config.forms import JsonObjectField
from jobs.config import jsontext


def nested(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


def test_it_reads_ordinary_json_and_brackets_inside_strings():
    assert jsontext.loads('{"family": [{"operator": "IN", "value": ["[[[[{{{{"]}]}') == {
        "family": [{"operator": "IN", "value": ["[[[[{{{{"]}]
    }
    assert jsontext.loads(nested(jsontext.MAX_DEPTH))


def test_it_refuses_json_deeper_than_the_limit_before_parsing():
    with pytest.raises(ValueError, match="nested deeper than 32 levels"):
        jsontext.loads(nested(5000))


def test_it_names_the_problem_of_a_600_level_search_field():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="nested deeper than 32 levels"):
        JsonObjectField().clean(nested(600))


def test_it_refuses_a_5000_level_upload_with_400_and_the_reason(client, users):
    client.force_login(users["admin"])
    upload = io.BytesIO(nested(5000).encode())
    upload.name = "deep.json"
    response = client.post(reverse("config_import"), {"file": upload})
    assert response.status_code == 400
    assert "deep.json: not valid JSON (nested deeper than 32 levels)." in response.context["import_problems"]


def test_it_refuses_a_5000_level_file_on_the_command_line(tmp_path, db):
    path = tmp_path / "deep.json"
    path.write_text(nested(5000))
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("importconfig", str(path), stderr=err)
    assert "not valid JSON (nested deeper than 32 levels)" in err.getvalue()
