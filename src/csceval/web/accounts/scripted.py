"""``csceval createuser``: the People > Add a person form, from a script.

The command line's values go through the same form (:class:`NewPersonForm`) and the same
service (:func:`create_person`), so the rules, the audit events and the first credential are the
web's; the actor recorded is ``cli``.
"""

from __future__ import annotations

from csceval.web.accounts.onboarding import ONE_TIME_PASSWORD, SIGN_IN_LINK, create_person
from csceval.web.accounts.people_forms import NewPersonForm

OPTION_OF = {
    "username": "--username",
    "full_name": "--name",
    "email": "--email",
    "role": "--role",
    "la_code": "--la",
    "expires_on": "--until",
    "credential": "--link",
}


class RefusedError(Exception):
    """The values were refused: (option, message) for each, as the form words them."""

    def __init__(self, problems: tuple[tuple[str, str], ...]) -> None:
        super().__init__(problems)
        self.problems = problems


def create_from_cli(
    *,
    username: str,
    full_name: str,
    email: str = "",
    role: str = "",
    la_code: str = "",
    until: str = "",
    link: bool = False,
) -> list[str]:
    """Create the account; the lines to print (the credential once). Raises RefusedError."""
    form = NewPersonForm(
        {
            "username": username,
            "full_name": full_name,
            "email": email,
            "role": role,
            "la_code": la_code,
            "expires_on": until,
            "credential": SIGN_IN_LINK if link else ONE_TIME_PASSWORD,
        }
    )
    if not form.is_valid():
        raise RefusedError(
            tuple(
                (OPTION_OF.get(field, "--username"), str(messages[0]))
                for field, messages in form.errors.items()
            )
        )
    data = form.cleaned_data
    user, made = create_person(
        actor=None,
        username=data["username"],
        full_name=data["full_name"],
        email=data["email"],
        access=form.access(),
        credential=data["credential"],
    )
    what = "sign-in link (add it to the platform's address)" if link else "one-time password"
    return [
        f"Created {user.get_username()!r}. Their {what}, shown only now; it works until "
        f"{made.expires_at:%Y-%m-%d %H:%M} UTC:",
        made.secret,
    ]
