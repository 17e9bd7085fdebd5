"""A request's one commit point: a state change commits once, or not at all."""

from __future__ import annotations

import pytest
from flask import get_flashed_messages
from sqlalchemy import event

from idcard.errors import N_, UserError
from idcard.models import Partner, Site
from idcard.services import services
from idcard.transaction import transaction
from tests.helpers import count_rows


class Refused(UserError):
    pass


@pytest.fixture
def commits(app) -> list[str]:
    """Each commit and rollback the app's engine sees, in order."""
    seen: list[str] = []
    engine = services(app).engine
    event.listen(engine, "commit", lambda _conn: seen.append("commit"))
    event.listen(engine, "rollback", lambda _conn: seen.append("rollback"))
    return seen


@pytest.fixture
def expired(app, monkeypatch: pytest.MonkeyPatch) -> list[None]:
    """A record of each time verification was told to read the database again."""
    calls: list[None] = []
    monkeypatch.setattr(services(app).verification, "expire", lambda: calls.append(None))
    return calls


@pytest.fixture
def client(app):
    """A client of the app with one throwaway view that writes two rows in a transaction,
    then ends as POST /change/<outcome> says: "ok", "refused" or "broken"."""
    app.config["WTF_CSRF_ENABLED"] = False

    @app.post("/change/<outcome>")
    def change(outcome: str) -> dict[str, object]:
        with transaction(done="Saved.") as tx:
            tx.session.add(Site(name="Written by the block"))
            tx.session.flush()
            tx.session.add(Partner(name="Also written by the block"))
            tx.session.flush()
            if outcome == "refused":
                raise Refused(N_("%(field)s is required."), field=N_("Name"))
            if outcome == "broken":
                raise RuntimeError("not a refusal")
        return {"committed": tx.committed,
                "flashes": [list(f) for f in get_flashed_messages(with_categories=True)]}

    return app.test_client()


def test_a_state_change_commits_once_and_says_so(
    client, db_session, commits, expired,
) -> None:
    response = client.post("/change/ok")
    assert response.get_json() == {"committed": True, "flashes": [["info", "Saved."]]}
    assert commits.count("commit") == 1
    assert count_rows(db_session, Site) == 1 and count_rows(db_session, Partner) == 1
    assert len(expired) == 1  # this worker's next verification sees the change


def test_a_refusal_rolls_back_everything_and_the_view_goes_on(
    client, db_session, commits, expired,
) -> None:
    response = client.post("/change/refused")
    assert response.status_code == 200
    assert response.get_json() == {
        "committed": False, "flashes": [["error", "Name is required."]]}
    assert "commit" not in commits and "rollback" in commits
    assert count_rows(db_session, Site) == 0 and count_rows(db_session, Partner) == 0
    assert expired == []


def test_the_refusal_is_flashed_in_the_persons_language(client, db_session) -> None:
    response = client.post("/change/refused", headers={"Accept-Language": "es"})
    assert response.get_json()["flashes"] == [
        ["error", 'El campo "Nombre" es obligatorio.']]
    assert count_rows(db_session, Site) == 0


def test_any_other_error_rolls_back_and_goes_on_to_the_error_page(
    client, db_session, commits, expired,
) -> None:
    assert client.post("/change/broken").status_code == 500
    client.application.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(RuntimeError, match="not a refusal"):  # the same error, not swallowed
        client.post("/change/broken")
    client.application.config["PROPAGATE_EXCEPTIONS"] = None
    assert "commit" not in commits and "rollback" in commits
    assert count_rows(db_session, Site) == 0 and count_rows(db_session, Partner) == 0
    assert expired == []
    assert client.post("/change/ok").get_json()["committed"] is True  # nothing left pending
    assert count_rows(db_session, Site) == 1
