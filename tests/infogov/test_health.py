"""/healthz: 200 while the database answers, 503 when it does not."""

import pytest
from django.db import OperationalError

import infogov.views


class UnreachableDatabase:
    def cursor(self):
        raise OperationalError("could not connect to server")


def test_health_is_ok_while_the_database_answers(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_health_is_503_when_the_database_fails(client, db, monkeypatch):
    monkeypatch.setattr(infogov.views, "connection", UnreachableDatabase())

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "OperationalError"}


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_health_answers_only_get(client, db, method):
    assert getattr(client, method)("/healthz").status_code == 405
