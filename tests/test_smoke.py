"""Signing in lands on the home page for the person's roles."""
from supervision.accounts.models import Role


def test_sign_in_lands_on_home(client, make, signed_in):
    person = make.user(Role.link_worker, name="Carys Jenkins")
    signed_in(person)
    response = client.get("/home")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Hello, Carys Jenkins" in page
    assert "Your practice and wellbeing" in page
    assert "Organisation admin" not in page
