# SPDX-License-Identifier: MIT
"""The CLI boundary: an OSError (unwritable folder, full disk) is one line naming the path."""

from __future__ import annotations

from pathlib import Path

from fogcosim.cli import main

STAR = str(Path(__file__).parent / "fixtures" / "profiles" / "golden-star.toml")


def test_render_into_an_unwritable_folder_is_one_line(tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")  # a path under a file fails even for root
    out = blocker / "sub"
    code = main(
        ["render", "--profile", STAR, "--fog-nodes", "2", "--method", "none", "--out", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert err.splitlines() == [f"fogcosim render: error: Not a directory: {out}"]


def test_verbose_shows_the_traceback(tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    main(["-v", "run", "--profile", STAR, "--fog-nodes", "2", "--method", "none",
          "--backend", "embedded", "--out", str(blocker / "sub")])  # fmt: skip
    err = capsys.readouterr().err
    assert "Traceback" in err and err.strip().splitlines()[-1].startswith("fogcosim run: error: ")


def test_bad_seeds_are_one_line_each(tmp_path, capsys):
    """A training seed where nothing trains, or seed counts that do not pair up."""
    cases = [
        (["render", "--profile", STAR, "--fog-nodes", "2", "--method", "fl", "--train-seed", "1",
          "--out", str(tmp_path / "r")], "trains nothing (training seeds apply to the ML methods"),
        (["sweep", "--profile", STAR, "--fog-nodes", "2", "--methods", "fl", "--train-seeds", "2",
          "--out", str(tmp_path / "s")], 'training seeds apply to a profile with [traffic.ml] pacing = "rounds"'),
        (["sweep", "--profile", "paper-sec21-rounds", "--fog-nodes", "2", "--seeds", "2",
          "--train-seeds", "3", "--out", str(tmp_path / "t")], "2 network seeds and 3 training seeds do not pair up"),
    ]  # fmt: skip
    for args, message in cases:
        assert main(args) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "s").exists() and not (tmp_path / "t").exists()
