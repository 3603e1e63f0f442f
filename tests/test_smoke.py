from ts_host.testing import login


def test_login_page_renders_in_the_layout(testapp):
    page = testapp.get("/connexion")
    assert "scolarité services" in page.text
    assert "académie de test" in page.text


def test_family_logs_in_and_sees_dashboard(testapp, family):
    response = login(testapp, family.login, family.password)
    assert response.status_int == 303
    home = response.follow()
    assert "Bienvenue" in home.text
    assert "2 enfants sont rattachés" in home.text
