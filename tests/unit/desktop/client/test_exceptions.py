"""How a failed request is worded for the analyst."""

from __future__ import annotations

from desktop.client import ApiError, BackendUnavailable, Conflict, InvalidReply, failure_text


def test_the_backends_reason_is_a_refusal_for_4xx_and_a_failure_for_5xx() -> None:
    conflict = Conflict(409, "cannot retry a task that is completed")
    assert failure_text("Retry", conflict) == "Retry refused: cannot retry a task that is completed"
    assert failure_text("Upload", ApiError(415, "not a PDF")) == "Upload refused: not a PDF"
    assert failure_text("Remove", ApiError(503, "database down")) == "Remove failed: database down"


def test_no_answer_says_the_backend_is_unavailable() -> None:
    gone = BackendUnavailable("connection refused")
    assert failure_text("Cancel", gone) == "Cancel failed: backend unavailable (connection refused)"
    broken = InvalidReply("the backend's task row has no field 'attempt'", "attempt")
    assert (
        failure_text("Retry", broken)
        == "Retry failed: the backend's task row has no field 'attempt'"
    )
