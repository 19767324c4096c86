"""The report's Environment and Executor panels: what ran, where, and from which build.

Environment comes from the run itself (a worker knows its browser), so it is
written into the results directory once per worker process, atomically: every
worker writes the same facts. Executor names the CI build when there is one.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from harness.infra.paths import PROJECT_ROOT


def package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def git_revision(root: Path = PROJECT_ROOT) -> str:
    """Short commit, with ``-dirty`` when the tree has uncommitted changes."""
    try:
        rev = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True, text=True,
                             timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{rev}-dirty" if dirty else rev


def toxiproxy_version(host: str | None, port: int | None, binary: Path | None = None) -> str:
    """The running server's version; a ``go install`` build says "git", so ask its binary too."""
    if not host or not port:
        return "not used by this target"
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/version", timeout=2) as response:
            text: str = response.read().decode().strip()
    except OSError:
        return "unknown"
    try:
        parsed = json.loads(text)
        version = str(parsed.get("version", text)) if isinstance(parsed, dict) else str(parsed)
    except ValueError:
        version = text
    if version in ("git", "", "unknown") and binary is not None:
        return module_version(binary, TOXIPROXY_MODULE) or version
    return version


TOXIPROXY_MODULE = "github.com/Shopify/toxiproxy/v2"


def module_version(binary: Path, module: str) -> str | None:
    """A Go binary's build info names each module with its version (what ``go version -m`` prints)."""
    try:
        data = binary.read_bytes()
    except OSError:
        return None
    match = re.search(rb"mod\t" + re.escape(module.encode()) + rb"\t(v[0-9][^\t\n]*)", data)
    return match.group(1).decode() if match else None


def environment(*, browser: str, target: str, app: str, toxiproxy: str, regression: str | None) -> dict[str, str]:
    props = {
        "browser": browser,
        "playwright": package_version("playwright"),
        "mitmproxy": package_version("mitmproxy"),
        "toxiproxy": toxiproxy,
        "target": target,
        "app": app,
        "git.revision": git_revision(),
        "python": _python(),
        "chaos-harness": package_version("chaos-harness"),
    }
    if regression:
        props["regression"] = f"{regression} (a defect of the catalogue, switched on on purpose)"
    return props


def _python() -> str:
    import platform

    return platform.python_version()


def properties_text(props: Mapping[str, str]) -> str:
    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("\n", "\\n").replace("=", "\\=").replace(":", "\\:")

    return "".join(f"{esc(k)}={esc(v)}\n" for k, v in props.items())


def write_atomic(path: Path, text: str) -> None:
    """Workers write the same file at the same time: never leave a half-written one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def executor(env: Mapping[str, str] | None = None) -> dict[str, object] | None:
    """The CI build that produced the results (GitHub Actions, GitLab CI, Jenkins), or None."""
    env = os.environ if env is None else env
    if env.get("GITHUB_RUN_ID") and env.get("GITHUB_REPOSITORY"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        url = f"{server}/{env['GITHUB_REPOSITORY']}/actions/runs/{env['GITHUB_RUN_ID']}"
        attempt = env.get("GITHUB_RUN_ATTEMPT")
        return {
            "name": "GitHub Actions",
            "type": "github",
            "buildName": f"{env.get('GITHUB_WORKFLOW', 'workflow')} #{env.get('GITHUB_RUN_NUMBER', '?')}"
            + (f" (attempt {attempt})" if attempt and attempt != "1" else ""),
            "buildOrder": int(env.get("GITHUB_RUN_NUMBER", "0") or 0),
            "buildUrl": url,
            "reportUrl": env.get("CHAOS_REPORT_URL", ""),
        }
    if env.get("CI_JOB_URL"):
        return {"name": "GitLab CI", "type": "gitlab", "buildName": env.get("CI_JOB_NAME", "job"),
                "buildOrder": int(env.get("CI_PIPELINE_IID", "0") or 0), "buildUrl": env["CI_JOB_URL"],
                "reportUrl": env.get("CHAOS_REPORT_URL", "")}
    if env.get("BUILD_URL"):
        return {"name": "Jenkins", "type": "jenkins", "buildName": env.get("JOB_NAME", "build"),
                "buildOrder": int(env.get("BUILD_NUMBER", "0") or 0), "buildUrl": env["BUILD_URL"],
                "reportUrl": env.get("CHAOS_REPORT_URL", "")}
    return None


def write_executor(results_dir: Path, env: Mapping[str, str] | None = None) -> bool:
    info = executor(env)
    if info is None:
        return False
    write_atomic(results_dir / "executor.json", json.dumps(info, indent=2))
    return True
