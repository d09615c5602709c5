"""What each step's prompt needs of the computed facts, for servers with a small context.

A review's full facts prefix is 2,000-3,500 tokens; on a local server with an 8k context, the
step prompt, the schema (in the prompt below the first response-format rung) and the answer
must fit beside it. So for a provider with a bounded context each step gets only the sections
of the facts it reasons about: the ROI step needs the financial figures, not the sizing table.
Cloud providers keep the one shared prefix, which their prompt caches can reuse.

The fencing of intake text is untouched: the dict entries are the ones `prompt_facts.llm_facts`
built (fenced there); this module only leaves some out.
"""

from __future__ import annotations

from typing import Any

#: Always kept: the system's name, current load, targets and constraints.
ALWAYS = ("system",)
STEP_FACTS: dict[str, tuple[str, ...]] = {
    "bottlenecks": ("intake_text", "components", "breaking_points", "sizing", "availability",
                    "findings", "patterns"),
    "cost_performance": ("components", "breaking_points", "costs", "configurations"),
    "roadmap": ("components", "findings", "patterns", "costs", "roadmap"),
    "roi": ("findings", "costs", "roadmap", "roi"),
    "database": ("intake_text", "components", "breaking_points", "sizing", "findings",
                 "patterns"),
    "performance_audit": ("intake_text", "components", "breaking_points", "findings",
                          "patterns"),
    "caching": ("components", "findings", "patterns", "costs"),
}


def facts_for(step: str, facts: dict[str, Any]) -> dict[str, Any]:
    """The part of the facts dict a step's prompt receives (all of it for an unknown step)."""
    wanted = STEP_FACTS.get(step)
    if wanted is None:
        return facts
    return {key: value for key, value in facts.items() if key in ALWAYS or key in wanted}
