"""The finding categories: a public contract (JSON/SARIF output, --select/--ignore, users' configs).

Copied from the project's taxonomy (docs/taxonomy.md). Never rename an id; add one only when none fits.
"""

from __future__ import annotations

CATEGORIES: dict[str, str] = {
    "unsupported-citation": "appeals to research, experts or proof with no verifiable reference",
    "weight-loss-claim": "express or implied weight-loss, fat-loss, appetite or metabolism efficacy",
    "safety-claim": "overstated safety or minimised risk",
    "unapproved-use": "efficacy claims for unapproved uses stated as settled, without an off-label disclosure",
    "regulatory-claim": "false or misleading statements about legal or regulatory status",
    "cure-claim": "cure, guarantee, permanence or universal-efficacy claims",
    "hype": "miracle, breakthrough, instant or brain-'reset' language that overstates effect or speed",
    "testimonial": "individual outcomes or patient anecdotes without a typical-results disclosure",
    "comparative-claim": "superiority over other treatments or providers, superlatives about the practice",
    "unsourced-statistic": "numbers about outcomes with no source",
    "pressure-tactic": "artificial urgency or scarcity",
    "missing-disclaimer": "a document making health claims omits a required disclosure",
}
