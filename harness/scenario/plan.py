"""The resolution plan the suite is traced to (brief section 1).

A scenario's ``plan`` names one section, so the report and ``chaos-harness list``
can show which part of the plan each behaviour proves.
"""

from __future__ import annotations

PLAN_SECTIONS: dict[str, str] = {
    "1": "Reproduce and document",
    "2": "Fortify history bootstrap",
    "3": "Harden the send pipeline",
    "4": "Offline UX and recovery",
    "5": "Instrument and monitor",
    "6": "Validate and roll out",
    "exit": "Exit criteria",
}


def section_key(plan: str) -> str | None:
    """``"2. Fortify history bootstrap"`` or ``"2"`` → ``"2"``; unknown → None."""
    head = plan.strip().split(".", 1)[0].split(" ", 1)[0].strip().lower()
    if head in PLAN_SECTIONS:
        return head
    for key, title in PLAN_SECTIONS.items():
        if plan.strip().lower() == title.lower():
            return key
    return None


def section_label(key: str) -> str:
    title = PLAN_SECTIONS[key]
    return title if key == "exit" else f"{key}. {title}"
