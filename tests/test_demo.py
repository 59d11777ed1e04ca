"""The demo company must not contradict itself: a workshop shows its pages side by side."""

import datetime as dt

import pandas as pd
import pytest

from alignment import demo


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return demo.build_frames()


def _stays(frames, item_id: str) -> pd.DataFrame:
    history = frames["stage_history"]
    return history[history["item_id"] == item_id].reset_index(drop=True)


def test_every_project_in_the_register_has_its_stages_in_order(frames):
    for project in frames["projects"].itertuples():
        stays = _stays(frames, project.project_id)
        assert list(stays["stage"]) == demo.STAGES[:len(stays)], project.project_id
        # each stage starts the day the one before it ended
        assert (stays["entered"].iloc[1:].to_numpy() == stays["exited"].iloc[:-1].to_numpy()).all()
        approval = stays[stays["stage"] == "Waiting for approval"].iloc[0]
        assert approval["exited"] == project.actual_start, project.project_id


def test_a_closed_project_has_left_deploy_on_its_end_date(frames):
    closed = frames["projects"][frames["projects"]["status"] == "Closed"]
    assert len(closed) > 20
    for project in closed.itertuples():
        stays = _stays(frames, project.project_id)
        assert stays["stage"].iloc[-1] == "Deploy" and stays["exited"].iloc[-1] == project.actual_end
        assert stays["exited"].notna().all()


def test_an_open_project_sits_in_the_delivery_stage_its_percent_complete_reaches(frames):
    """Once P-015 was "In progress 45%" while its history had finished Deploy. Build is the first
    60-75% of a project's work, Test the next 15-25%."""
    open_ = frames["projects"][frames["projects"]["status"] != "Closed"]
    assert len(open_) >= 5  # a portfolio in flight, not a list of finished projects
    for project in open_.itertuples():
        stays = _stays(frames, project.project_id)
        assert stays["exited"].isna().sum() == 1 and pd.isna(stays["exited"].iloc[-1]), project.project_id
        stage, done = stays["stage"].iloc[-1], project.percent_complete
        assert stage == "Build" if done < 0.6 else stage in ("Build", "Test") if done < 0.75 else stage != "Build"
        assert stays["entered"].iloc[-1] <= demo.AS_OF


def test_nothing_happens_after_the_demo_date(frames):
    history = frames["stage_history"]
    assert (history["entered"] <= demo.AS_OF).all()
    assert (history["exited"].dropna() <= demo.AS_OF).all()
    assert history["entered"].min() > dt.date(2024, 1, 1)


def test_the_demo_is_the_same_every_time(frames):
    again = demo.build_frames()
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(frame, again[name])
