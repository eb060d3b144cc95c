"""The ``ketacare`` entry point: bad input exits non-zero with the error on stderr only."""

from __future__ import annotations

import pytest

from ketacare.cli import main


def test_unknown_subcommand_exits_non_zero_with_nothing_on_stdout(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code != 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no-such-command" in captured.err
