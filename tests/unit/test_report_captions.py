"""Every report caption named in the rules exists (Snakemake does not expand wildcards there)."""

import re

from tests.conftest import REPO

RULES = REPO / "workflow" / "rules"


def test_every_caption_file_exists() -> None:
    captions = [
        (path.name, name)
        for path in sorted(RULES.glob("*.smk"))
        for name in re.findall(r'caption="([^"]+)"', path.read_text())
    ]
    assert len(captions) >= 10
    missing = [(rule_file, name) for rule_file, name in captions if not (RULES / name).is_file()]
    assert not missing, f"caption files missing: {missing}"
