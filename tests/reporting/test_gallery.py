import json
from pathlib import Path

from harness.reporting.gallery import (
    MAX_TRIES,
    PAGE_STEM,
    Album,
    Copy,
    Shot,
    assemble,
    choose,
    copy_in,
    save_shot,
    still_shown,
)
from tests.reporting.helpers import Events

PNG = b"\x89PNG\r\n\x1a\nfake"


def test_copy_is_read_from_ui_events() -> None:
    t = Events()
    status = t.add("ui.status", 0, 0, status="error", text="🔴 Offline")
    toast = t.add("ui.toast", 1, 1, title="Back online", description="The assistant is reachable again.")
    gone = t.add("ui.fallback", 2, 2, count=0, text="")
    cta = t.add("ui.retry_cta", 3, 3, present=True)
    assert copy_in(status) == [Copy("status:error", "Status badge", "error: 🔴 Offline")]
    assert copy_in(toast)[0].text == "Back online — The assistant is reachable again."
    assert copy_in(gone) == []
    assert copy_in(cta)[0].key == "retry_cta"


def test_a_photograph_counts_only_if_the_copy_stayed_on_screen_while_it_was_taken() -> None:
    t = Events()
    t.add("ui.status", 0, 0, status="idle", text="Ready")
    before = list(t.events)
    idle = copy_in(before[0])[0]
    assert still_shown(idle, before, [])
    during = [t.add("ui.status", 5, 5, status="syncing", text="Syncing")]
    assert not still_shown(idle, before, during)  # the 8 ms idle badge was gone before the picture existed
    toast = Copy("toast:Back online", "Toast", "Back online")
    assert still_shown(toast, before, during)  # toasts stay for seconds


def test_the_album_bounds_what_the_gallery_costs() -> None:
    album = Album()
    copy = Copy("status:idle", "Status badge", "idle")
    assert album.wants(copy)
    album.tries["status:idle"] = MAX_TRIES
    assert not album.wants(copy)
    album.taken["status:error"] = "Status badge"
    assert not album.wants(Copy("status:error", "Status badge", "error"))


def test_assemble_keeps_one_photograph_per_copy_across_workers(tmp_path: Path) -> None:
    results = tmp_path / "allure-results"
    for scenario in ("b-scenario", "a-scenario"):  # two workers photographed the same badge
        save_shot(results, PNG, Shot("status:error", "Status badge", "error: Offline", scenario, 10.0, ""))
    save_shot(results, PNG, Shot("toast:Back online", "Toast", "Back online", "a-scenario", 20.0, ""))
    page = assemble(results, tmp_path / "gallery" / "index.html")
    assert page == tmp_path / "gallery" / "index.html"
    globals_files = sorted(results.glob("*-globals.json"))
    metas = [json.loads(p.read_text()).get("chaosGallery") for p in globals_files]
    kept = [m for m in metas if m]
    assert sorted(m["key"] for m in kept) == ["status:error", "toast:Back online"]
    assert next(m for m in kept if m["key"] == "status:error")["scenario"] == "a-scenario"  # the same pick each time
    assert len(list(results.glob("*-attachment.png"))) == 2
    html = page.read_text()
    assert "data:image/png;base64," in html and "Back online" in html and "not seen in this run" in html
    gallery_page = json.loads((results / f"{PAGE_STEM}-globals.json").read_text())["attachments"][0]
    assert gallery_page["type"] == "text/html" and (results / gallery_page["source"]).is_file()
    assert assemble(tmp_path / "empty") is None


def test_choose_orders_sections_and_statuses() -> None:
    shots = [Shot("toast:x", "Toast", "x", "s", 0, "a"), Shot("status:error", "Status badge", "e", "s", 0, "b"),
             Shot("status:idle", "Status badge", "i", "s", 0, "c")]
    assert [s.key for s in choose(shots)] == ["status:idle", "status:error", "toast:x"]
