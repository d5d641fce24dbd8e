"""What changed inside a changed line, and the unchanged stretches between hunks."""

from __future__ import annotations

from snapshots.archive import diffing
from snapshots.archive.intraline import mark_pair, pieces


def _marked(parts) -> list[str]:
    return [text for text, changed in parts if changed]


def test_a_one_character_change_in_chinese_marks_one_character():
    old, new = mark_pair("国务院发布政府工作报告全文", "国务院发表政府工作报告全文")
    assert _marked(old) == ["布"] and _marked(new) == ["表"]
    assert "".join(text for text, _ in new) == "国务院发表政府工作报告全文"


def test_a_change_in_latin_text_marks_the_whole_word():
    old, new = mark_pair("The quick brown fox jumps", "The quick browne fox jumps")
    assert _marked(old) == ["brown"] and _marked(new) == ["browne"]
    old, new = mark_pair("预算 10 亿元 budget", "预算 12 亿元 budget")
    assert _marked(old) == ["10"] and _marked(new) == ["12"]


def test_pieces_split_cjk_by_character_and_latin_by_word():
    assert pieces("年度report 2024，ok!") == ["年", "度", "report", " ", "2024", "，", "ok", "!"]


def test_unlike_lines_are_not_marked_inside():
    assert mark_pair("完全不同的一句话", "Something else entirely") == ((), ())


def _lines(count: int, changed: dict[int, str]) -> str:
    return "\n".join(changed.get(i, f"第{i}行 line {i}") for i in range(count))


def test_unchanged_stretches_are_collapsed_with_their_count():
    diff = diffing.text_diff(_lines(200, {}), _lines(200, {10: "第10行 改了", 150: "新的一行"}))
    kinds = [type(block).__name__ for block in diff.blocks]
    assert kinds == ["Gap", "list", "Gap", "list", "Gap"]
    first, middle, last = diff.blocks[0], diff.blocks[2], diff.blocks[4]
    assert first.count == 7 and [line.old_no for line in first.lines] == list(range(1, 8))
    assert middle.count == 150 - 10 - 1 - 2 * diffing.CONTEXT_LINES
    assert last.count == 200 - 151 - diffing.CONTEXT_LINES
    hunk = diff.blocks[1]
    assert [line.kind for line in hunk].count("delete") == 1 and diff.added == 2 and diff.removed == 2
    # The changed line is marked inside, the context is not.
    (inserted,) = [line for line in hunk if line.kind == "insert"]
    assert _marked(inserted.shown) == ["改了"]
    assert all(not _marked(line.shown) for line in hunk if line.kind == "equal")


def test_a_long_stretch_unfolds_to_its_first_lines_only():
    diff = diffing.text_diff(_lines(2000, {}), _lines(2000, {1999: "末行"}))
    gap = diff.blocks[0]
    assert gap.count == 2000 - 1 - diffing.CONTEXT_LINES
    assert len(gap.lines) == diffing.GAP_LINES_SHOWN
    assert (gap.lines[-1].old_no, gap.lines[-1].new_no) == (diffing.GAP_LINES_SHOWN, diffing.GAP_LINES_SHOWN)


def test_new_line_numbers_in_a_gap_follow_added_lines():
    diff = diffing.text_diff(_lines(40, {}), "新增\n新增\n" + _lines(40, {}))
    gap = diff.blocks[-1]
    assert gap.lines[0].new_no == gap.lines[0].old_no + 2


def test_identical_texts_have_no_blocks():
    diff = diffing.text_diff(_lines(50, {}), _lines(50, {}))
    assert diff.blocks == [] and diff.hunks == []


def test_a_number_with_separators_is_one_word():
    old, new = mark_pair("财政收入 8,765 元。", "财政收入 9,100 元。")
    assert _marked(old) == ["8,765"] and _marked(new) == ["9,100"]
    assert pieces("3.14, ok") == ["3.14", ",", " ", "ok"]


def test_marking_inside_lines_stops_when_its_budget_is_spent(monkeypatch):
    monkeypatch.setattr(diffing, "INTRALINE_BUDGET", 30)
    old = "\n".join(["预算十亿元整", "预算十亿元整", "预算十亿元整", "预算十亿元整"])
    new = "\n".join(["预算百亿元整", "预算百亿元整", "预算百亿元整", "预算百亿元整"])
    inserted = [line for line in diffing.text_diff(old, new).hunks[0] if line.kind == "insert"]
    assert [_marked(line.shown) for line in inserted] == [["百"], ["百"], [], []]  # 12 characters a pair
