"""Where the private signing key is looked for: one rule for the build and `clm cache`."""

from __future__ import annotations

from clm.remote.settings import Setting, resolve, signing_key


def test_the_signing_key_is_found_from_the_course_root(tmp_path):
    assert signing_key(tmp_path, None) == tmp_path / "clm-cache.key"
    assert signing_key(tmp_path, "secrets/ci.key") == tmp_path / "secrets" / "ci.key"
    assert signing_key(tmp_path, "/run/ci.key").as_posix() == "/run/ci.key"


def test_a_pushing_build_uses_the_same_rule(tmp_path):
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "ci.key").write_text("not read here")
    given = {"remote": Setting("store"), "push": Setting("ci-main")}
    settings = resolve(tmp_path, given, "course.yaml", {"CLM_CACHE_KEY": "secrets/ci.key"})
    assert settings is not None
    assert settings.key_file == signing_key(tmp_path, "secrets/ci.key")
