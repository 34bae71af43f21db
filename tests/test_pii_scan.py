"""The end-of-run log search finds personal data in the shapes people type it, and nothing in ordinary log lines."""

from pathlib import Path

from tests.pii_scan import findings, scan_folder


def test_personal_data_is_found_in_the_shapes_people_type() -> None:
    lines = [
        "slot phone=13800138000",
        "text='139 2222 4444'",
        "id 44180219800101123X",
        "card 6222021234567890123",
        "applicant 王阿姨",
        '{"text": "\\u738b\\u963f\\u59e8"}',  # JSON-escaped
    ]
    assert findings(lines) == lines


def test_ordinary_log_lines_are_clean() -> None:
    lines = [
        "2026-12-07 16:43:15 INFO rasa.engine.training.hooks - Finished training component 'RegexFeaturizer'.",
        "Starting Rasa server on http://127.0.0.1:60785",
        "referral QY-261207-K7MP-9PQX submitted to V441802006001 in 0.0123456789 s",
        "wechat: access token fetched; pid 1234567",
        "[电话] [姓名] 手机尾号8000",
    ]
    assert findings(lines) == []


def test_a_folder_is_searched_file_by_file(tmp_path: Path) -> None:
    (tmp_path / "rasa-1.log").write_text("ok\nuser said 13800138000\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "web.log").write_text("陈女士\n", encoding="utf-8")
    assert scan_folder(tmp_path) == ["rasa-1.log: user said 13800138000", "web.log: 陈女士"]
