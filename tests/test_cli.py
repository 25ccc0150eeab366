"""The `voxpop` command's account subcommands, called as an operator would."""
import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from voxpop.accounts.models import ApiToken, User
from voxpop.cli import main


def test_createmoderator_assigns_desks_and_prints_totp_uri(english_desk, korean_desk, capsys):
    """createmoderator sets role and desks and prints the TOTP provisioning URI."""
    assert main(["createmoderator", "sora", "--password", "pw-123456789", "--role", "editor",
                 "--desk", "english", "--desk", "korean"]) == 0

    out = capsys.readouterr().out
    user = User.objects.get(username="sora")
    assert user.role == "editor" and user.check_password("pw-123456789")
    assert {d.key for d in user.desks.all()} == {"english", "korean"}
    assert re.search(r"otpauth://totp/sora\?secret=[A-Z2-7]+", out)


def test_createmoderator_refuses_unknown_desk(db, capsys):
    """An unknown desk key is an error naming the desk, and no user is created."""
    assert main(["createmoderator", "sora", "--desk", "nowhere"]) == 1
    assert "nowhere" in capsys.readouterr().err
    assert not User.objects.filter(username="sora").exists()


def test_createtoken_prints_only_the_token(moderator, capsys):
    """createtoken prints the token alone; only its digest is stored."""
    assert main(["createtoken", moderator.username]) == 0

    token = capsys.readouterr().out.strip()
    assert "\n" not in token and len(token) > 30
    assert ApiToken.objects.filter(user=moderator, digest=ApiToken.digest_of(token)).exists()
    assert not ApiToken.objects.filter(digest=token).exists()


@pytest.mark.parametrize("command", ["demo", "serve", "migrate", "createmoderator", "createtoken"])
def test_every_command_has_help(command, capsys):
    """Each command of PRODUCT.md section 4 answers --help."""
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert command in capsys.readouterr().out


def test_totp_code_prints_a_code_the_device_accepts(moderator, capsys):
    """totp-code prints the moderator's current six-digit code, which their device verifies."""
    assert main(["totp-code", moderator.username]) == 0

    code = capsys.readouterr().out.strip()
    assert re.fullmatch(r"\d{6}", code)
    assert TOTPDevice.objects.get(user=moderator).verify_token(code)
