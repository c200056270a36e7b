"""The per-rule conda environments (envs/*.yaml): parseable, exactly pinned, the same versions as
pyproject.toml, and referenced by every rule (conda is never solved here: channels are offline)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ENV_DIR = ROOT / "envs"
RULE_FILES = sorted((ROOT / "workflow" / "rules").glob("*.smk"))
ENV_FILES = sorted(ENV_DIR.glob("*.yaml"))

# conda-forge names whose PyPI distribution has another name.
CONDA_TO_PYPI = {"matplotlib-base": "matplotlib"}
# Build tooling pinned in the envs but not a dependency of the package.
TOOLING = {"python", "pip", "setuptools"}


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for group in project.get("optional-dependencies", {}).values():
        requirements.extend(group)
    pins = {}
    for requirement in requirements:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*==\s*([^\s;]+)\s*", requirement)
        assert match, f"pyproject.toml: {requirement!r} is not an exact pin"
        pins[normalize(match.group(1))] = match.group(2)
    return pins


def env_pins(path: Path) -> dict[str, str]:
    """Package -> version of one environment file (conda and pip sections); asserts exact pins."""
    spec = yaml.safe_load(path.read_text())
    pins: dict[str, str] = {}
    for dependency in spec["dependencies"]:
        if isinstance(dependency, dict):
            assert set(dependency) == {"pip"}, f"{path.name}: unexpected entry {dependency}"
            for requirement in dependency["pip"]:
                if requirement.startswith("-"):  # pip options (--extra-index-url ...)
                    assert not requirement.startswith(("-e", "--editable")), (
                        f"{path.name}: install cellbench in the post-deploy script, not with -e"
                    )
                    continue
                match = re.fullmatch(r"([A-Za-z0-9_.-]+)==([0-9][^\s=<>!~*]*)", requirement)
                assert match, f"{path.name}: pip requirement {requirement!r} is not pinned with =="
                pins[normalize(match.group(1))] = match.group(2)
        else:
            match = re.fullmatch(r"([A-Za-z0-9_.-]+)={1,2}([0-9][^\s=<>!~*]*)", str(dependency))
            assert match, f"{path.name}: conda dependency {dependency!r} is not pinned exactly"
            name = CONDA_TO_PYPI.get(match.group(1), match.group(1))
            pins[normalize(name)] = match.group(2)
    return pins


def rules_with_conda() -> dict[str, tuple[Path, str | None, str]]:
    """rule name -> (rule file, conda path or None, rule body) for every rule in workflow/rules."""
    rules = {}
    for smk in RULE_FILES:
        text = smk.read_text()
        blocks = re.split(r"^(?:rule|checkpoint)\s+(\w+)\s*:", text, flags=re.MULTILINE)
        for name, body in zip(blocks[1::2], blocks[2::2], strict=True):
            body = re.split(r"^\S", body, maxsplit=1, flags=re.MULTILINE)[0]  # up to dedent
            conda = re.search(r"^\s+conda:\s*\n\s+[\"']([^\"']+)[\"']", body, re.MULTILINE)
            rules[name] = (smk, conda.group(1) if conda else None, body)
    return rules


def test_env_files_exist():
    names = {path.stem for path in ENV_FILES}
    assert {"core", "torch", "pretrained"} <= names


@pytest.mark.parametrize("path", ENV_FILES, ids=lambda p: p.name)
def test_env_file_parses_and_uses_conda_forge_only(path):
    spec = yaml.safe_load(path.read_text())
    assert isinstance(spec, dict), f"{path.name} is not a YAML mapping"
    assert spec.get("channels") == ["conda-forge", "nodefaults"], (
        f"{path.name}: channels must be exactly [conda-forge, nodefaults]"
    )
    assert isinstance(spec.get("dependencies"), list) and spec["dependencies"]


@pytest.mark.parametrize("path", ENV_FILES, ids=lambda p: p.name)
def test_env_pins_match_pyproject(path):
    project = pyproject_pins()
    pins = env_pins(path)
    mismatched = {
        name: (version, project[name])
        for name, version in pins.items()
        if name in project and version != project[name]
    }
    assert not mismatched, f"{path.name}: env pin != pyproject pin: {mismatched}"
    # torch (and with it cellbench) must be importable in every environment.
    assert "torch" in pins, f"{path.name}: torch missing"


def test_python_pin_within_requires_python():
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    low = re.search(r">=\s*3\.(\d+)", requires)
    high = re.search(r"<\s*3\.(\d+)", requires)
    for path in ENV_FILES:
        minor = int(env_pins(path)["python"].split(".")[1])
        assert int(low.group(1)) <= minor < int(high.group(1)), f"{path.name}: python {minor}"


def test_core_and_torch_envs_cover_the_runtime_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {normalize(re.split(r"[=<>!~ ]", r, maxsplit=1)[0]) for r in project["dependencies"]}
    runtime -= {"snakemake", "snakemake-executor-plugin-slurm"}  # run on the submit host
    missing = runtime - set(env_pins(ENV_DIR / "torch.yaml"))
    assert not missing, f"torch.yaml lacks runtime dependencies {missing}"
    core_missing = runtime - {"hdbscan", "mwatershed"} - set(env_pins(ENV_DIR / "core.yaml"))
    assert not core_missing, f"core.yaml lacks runtime dependencies {core_missing}"


@pytest.mark.parametrize("path", ENV_FILES, ids=lambda p: p.name)
def test_every_env_installs_cellbench_after_creation(path):
    post_deploy = path.with_name(f"{path.stem}.post-deploy.sh")
    assert post_deploy.is_file(), f"{post_deploy.name} missing: cellbench would not be importable"
    assert "--no-deps" in post_deploy.read_text() and "--editable" in post_deploy.read_text()


def test_every_rule_references_an_existing_env_file():
    rules = rules_with_conda()
    assert rules, "no rules found in workflow/rules"
    problems = []
    for name, (smk, conda, body) in rules.items():
        has_action = re.search(r"^\s+(script|shell|notebook|wrapper):", body, re.MULTILINE)
        if not has_action:
            continue  # aggregation-only rules run nothing
        if conda is None:
            problems.append(f"{smk.name}: rule {name} has no conda: directive")
            continue
        env = (smk.parent / conda).resolve()
        if env.parent != ENV_DIR or not env.is_file():
            problems.append(f"{smk.name}: rule {name}: conda env {conda} is not a file in envs/")
    assert not problems, "\n".join(problems)
