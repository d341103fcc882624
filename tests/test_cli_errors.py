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
