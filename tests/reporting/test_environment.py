from pathlib import Path

from harness.reporting.categories import allure_categories, categories_json
from harness.reporting.environment import executor, module_version, properties_text
from harness.reporting.replay import replay_command


def test_executor_links_the_ci_build() -> None:
    env = {"GITHUB_RUN_ID": "42", "GITHUB_REPOSITORY": "acme/widget", "GITHUB_SERVER_URL": "https://github.example",
           "GITHUB_RUN_NUMBER": "7", "GITHUB_WORKFLOW": "chaos"}
    info = executor(env)
    assert info is not None
    assert info["buildUrl"] == "https://github.example/acme/widget/actions/runs/42"
    assert info["buildName"] == "chaos #7" and info["type"] == "github"
    assert executor({"CI_JOB_URL": "https://gitlab.example/j/1"}) is not None
    assert executor({}) is None  # a laptop has no build to link


def test_properties_escape_separators() -> None:
    assert properties_text({"app": "http://127.0.0.1:8000"}) == "app=http\\://127.0.0.1\\:8000\n"


def test_a_go_binary_names_its_module_version(tmp_path: Path) -> None:
    binary = tmp_path / "toxiproxy-server"
    binary.write_bytes(b"\x00junk\x00mod\tgithub.com/Shopify/toxiproxy/v2\tv2.12.0\th1:abc\n\x00")
    assert module_version(binary, "github.com/Shopify/toxiproxy/v2") == "v2.12.0"
    assert module_version(tmp_path / "missing", "x") is None


def test_categories_match_the_verdict_label_flaky_first() -> None:
    rules = allure_categories()
    assert [r["id"] for r in rules] == [
        "flaky", "widget-regression", "invalid-scenario", "interrupted", "broken-infrastructure"
    ]
    assert rules[0]["matchers"] == {"flaky": True}
    assert rules[1]["matchers"] == {"labels": {"verdict": "^widget regression$"}}
    assert '"matchedStatuses"' in categories_json()


def test_replay_is_one_command_from_the_project_root(tmp_path: Path) -> None:
    file = tmp_path / "scenarios" / "history" / "a b.yaml"
    command = replay_command(file, seed=7, target="reference", regression="no-backoff", root=tmp_path)
    assert command == (".venv/bin/chaos-harness run 'scenarios/history/a b.yaml' --seed 7 --target reference "
                       "--regression no-backoff")
