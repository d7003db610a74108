"""Site packs load whole or not at all; every problem names its file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from appliance.cli.main import app
from appliance.dialog.sitepack import SiteError, load_site
from tests.dialog.conftest import edit


def test_riverside_loads(pack: Path) -> None:
    site = load_site(pack)
    assert site.extension("nurse") == "2100" and site.extension("operator") == "2000"
    assert site.extension("billing") == "2300" and site.extension("pharmacy") == "2400"
    assert set(site.flows) == {
        "book_appointment", "reschedule_appointment", "cancel_appointment",
        "refill_request", "callback_request", "faq",
    }  # fmt: skip
    assert site.flows["refill_request"].tools == ("verify_identity", "request_refill")
    assert site.flows["faq"].tools == ()


def test_every_error_is_collected_with_file_and_line(pack: Path) -> None:
    zone = edit(pack / "site.yaml", "time_zone: America/Chicago", "time_zone: Mars/Olympus")
    tool = edit(
        pack / "flows.yaml",
        "tools: [verify_identity, request_refill]",
        "tools: [verify_identity, request_refil]",
    )
    bad_re = edit(pack / "redflags.yaml", "'\\bgasping\\b'", "'(gasping'")
    flow = edit(pack / "nlu.yaml", "flow: callback_request", "flow: call_me_maybe")
    with pytest.raises(SiteError) as info:
        load_site(pack)
    found = {(Path(i.file).name, i.line) for i in info.value.issues}
    assert ("site.yaml", zone) in found
    assert ("flows.yaml", tool) in found
    assert ("redflags.yaml", bad_re) in found
    assert ("nlu.yaml", flow) in found
    assert any("request_refil" in i.message for i in info.value.issues)


def test_broken_yaml_names_the_line(pack: Path) -> None:
    line = edit(pack / "flows.yaml", "  faq:\n", "  faq: [\n")
    with pytest.raises(SiteError) as info:
        load_site(pack)
    issue = info.value.issues[0]
    assert issue.file.endswith("flows.yaml") and abs(issue.line - line) <= 2


def test_missing_file_and_unknown_key(pack: Path) -> None:
    (pack / "redflags.yaml").unlink()
    line = edit(pack / "site.yaml", "greeting:", "greting:")
    with pytest.raises(SiteError) as info:
        load_site(pack)
    messages = [str(i) for i in info.value.issues]
    assert any("redflags.yaml" in m and "missing" in m for m in messages)
    assert any(m.endswith(f"site.yaml:{line}: greting: Extra inputs are not permitted") for m in messages)


def test_disclosure_rule_is_checked(pack: Path) -> None:
    edit(pack / "site.yaml", ", and this call is recorded.", ".")
    with pytest.raises(SiteError, match="recorded"):
        load_site(pack)


def test_the_operator_may_be_named_in_the_welcome_but_must_be_named(pack: Path) -> None:
    load_site(pack)  # riverside names it in the welcome, after the required part
    edit(pack / "site.yaml", "You can say operator at any time to reach a person.", "Welcome.")
    with pytest.raises(SiteError, match="operator"):
        load_site(pack)


def test_a_red_flag_must_say_what_to_dial(pack: Path) -> None:
    edit(pack / "redflags.yaml", "Please hang up and dial 911 now.", "Please call us later.")
    with pytest.raises(SiteError, match="911"):
        load_site(pack)


def test_step_that_calls_a_tool_outside_the_flow(pack: Path) -> None:
    line = edit(pack / "flows.yaml", "      - call: request_callback", "      - call: cancel_appointment")
    with pytest.raises(SiteError) as info:
        load_site(pack)
    assert any(i.line == line and "not in the flow's tools" in i.message for i in info.value.issues)


def test_cli_validate_ok_and_json(pack: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["policy", "validate", str(pack)])
    assert result.exit_code == 0 and "ok" in result.output
    result = runner.invoke(app, ["policy", "validate", str(pack), "--json"])
    assert json.loads(result.stdout)["ok"] is True


def test_cli_validate_reports_file_line_and_exits_1(pack: Path) -> None:
    line = edit(pack / "site.yaml", 'extension: "2100"', 'extension: "nurse"')
    runner = CliRunner()
    result = runner.invoke(app, ["policy", "validate", str(pack)])
    assert result.exit_code == 1
    assert f"{pack / 'site.yaml'}:{line}: transfer_targets.nurse.extension" in result.output
    result = runner.invoke(app, ["policy", "validate", str(pack), "--json"])
    data = json.loads(result.stdout)
    assert result.exit_code == 1 and data["ok"] is False and data["errors"][0]["line"] == line


def test_cli_validate_defaults_to_the_configured_site() -> None:
    result = CliRunner().invoke(app, ["policy", "validate", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["directory"].endswith("riverside")


def test_examples_repeated_across_labels_name_the_line(pack: Path) -> None:
    # the same sentence (in other case and punctuation) under a second label
    cancel = "    - I need to cancel my appointment.\n"
    line = edit(pack / "examples.yaml", cancel, cancel + "    - i need to Cancel my appointment\n")
    with pytest.raises(SiteError) as info:
        load_site(pack)
    issue = next(i for i in info.value.issues if Path(i.file).name == "examples.yaml")
    assert issue.line == line + 1 and "twice under flow:cancel_appointment" in issue.message
    other = edit(pack / "examples.yaml", "  - I had the flu last month.\n",
                 "  - I had the flu last month.\n  - I want to book an appointment\n")  # fmt: skip
    book = "    - I'd like to book an appointment.\n"
    edit(pack / "examples.yaml", book, "    - I want to book an appointment.\n")
    with pytest.raises(SiteError) as info:
        load_site(pack)
    found = [i for i in info.value.issues if Path(i.file).name == "examples.yaml" and i.line == other + 1]
    assert found and "flow:book_appointment" in found[0].message and "none" in found[0].message


def test_malformed_examples_name_the_line(pack: Path) -> None:
    empty = edit(pack / "examples.yaml", "    - I need to cancel my appointment.\n", "    - ''\n")
    number = edit(pack / "examples.yaml", "    - I need a refill on my lisinopril.\n", "    - 12345\n")
    with pytest.raises(SiteError) as info:
        load_site(pack)
    found = {i.line for i in info.value.issues if Path(i.file).name == "examples.yaml"}
    assert {empty, number} <= found


def test_example_labels_must_name_what_the_site_has(pack: Path) -> None:
    label = edit(pack / "examples.yaml", "  callback_request:\n", "  call_me_maybe:\n")
    category = edit(pack / "examples.yaml", "  worst_headache:\n", "  headache:\n")
    with pytest.raises(SiteError) as info:
        load_site(pack)
    found = [(i.line, i.message) for i in info.value.issues if Path(i.file).name == "examples.yaml"]
    # the line of the label's first sentence (its value), right under the label
    assert (label + 1, "examples: no flow named 'call_me_maybe'") in found
    assert (category + 1, "examples: no red-flag category named 'headache'") in found


def test_a_site_without_examples_loads_with_rules_alone(pack: Path) -> None:
    (pack / "examples.yaml").unlink()
    assert load_site(pack).examples.labeled() == []
