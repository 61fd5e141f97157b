"""A change to the signed-in person's row takes effect with their next request: a deactivation,
a new password or a deletion signs them out."""

from tests.factories import PASSWORD, UserFactory


def test_a_deactivated_person_is_signed_out_at_once(client, roster, member):
    client.force_login(member)
    assert client.get("/").status_code == 200

    member.is_active = False
    member.save()

    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_a_new_password_signs_out_the_other_sessions(client, roster, member):
    client.force_login(member)
    assert client.get("/").status_code == 200

    member.set_password(PASSWORD + "-new")
    member.save()

    assert client.get("/").status_code == 302


def test_a_deleted_person_is_signed_out(client, roster):
    person = UserFactory(username="leaver", full_name="离职人员")
    client.force_login(person)
    assert client.get("/").status_code == 200

    person.delete()

    assert client.get("/").status_code == 302
