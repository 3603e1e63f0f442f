"""The DSFR deform templates, the page layout and the vendored DSFR subset."""

import re
from pathlib import Path

import colander
import deform
import pytest
from bs4 import BeautifulSoup
from chameleon import PageTemplate, PageTemplateFile
from pyramid import testing
from translationstring import TranslationString

from ts_host import widgets

TS_HOST = Path(widgets.__file__).parent
DSFR = TS_HOST / "static" / "dsfr"


@pytest.fixture(scope="module")
def dsfr_deform():
    """Deform configured by ``ts_host.widgets``, within a French request."""
    default_renderer = deform.Field.default_renderer
    config = testing.setUp(
        request=testing.DummyRequest(),
        settings={"pyramid.default_locale_name": "fr"},
    )
    config.include("ts_host.widgets")
    yield
    testing.tearDown()
    deform.Field.default_renderer = default_renderer


class Child(colander.MappingSchema):
    first_name = colander.SchemaNode(colander.String(), title="Prénom")


class Schema(colander.MappingSchema):
    csrf_token = colander.SchemaNode(
        colander.String(), widget=deform.widget.HiddenWidget(), default="jeton"
    )
    name = colander.SchemaNode(
        colander.String(), title="Nom", description="Tel qu’il figure sur l’état civil"
    )
    email = colander.SchemaNode(
        colander.String(),
        title="Adresse électronique",
        validator=colander.Email(),
        widget=deform.widget.TextInputWidget(attributes={"type": "email", "autocomplete": "email"}),
    )
    comment = colander.SchemaNode(
        colander.String(),
        title="Commentaire",
        missing="",
        widget=deform.widget.TextAreaWidget(rows=3),
    )
    password = colander.SchemaNode(
        colander.String(),
        title="Nouveau mot de passe",
        widget=deform.widget.CheckedPasswordWidget(),
    )
    level = colander.SchemaNode(
        colander.String(),
        title="Classe",
        widget=deform.widget.SelectWidget(
            values=[("", "Choisir une classe"), ("6A", "6e A"), ("5B", "5e B")]
        ),
    )
    relation = colander.SchemaNode(
        colander.String(),
        title="Vous êtes",
        widget=deform.widget.RadioChoiceWidget(
            values=[("mere", "Mère"), ("pere", "Père"), ("autre", "Autre")]
        ),
    )
    options = colander.SchemaNode(
        colander.Set(),
        title="Options",
        missing=(),
        widget=deform.widget.CheckboxChoiceWidget(values=[("latin", "Latin"), ("grec", "Grec")]),
    )
    agree = colander.SchemaNode(colander.Boolean(), title="J’accepte les conditions d’utilisation")
    start = colander.SchemaNode(
        colander.Date(), title="Date de rentrée", widget=deform.widget.DateInputWidget()
    )
    child = Child(title="Enfant")
    phones = colander.SchemaNode(
        colander.Sequence(),
        colander.SchemaNode(colander.String(), name="phone", title="Téléphone"),
        title="Téléphones",
        widget=deform.widget.SequenceWidget(min_len=2),
    )


def make_form():
    buttons = (
        deform.Button("save", "Enregistrer"),
        deform.Button("cancel", "Annuler"),
    )
    return deform.Form(Schema(), buttons=buttons, formid="essai", focus="off")


def render_invalid():
    form = make_form()
    controls = [
        ("csrf_token", "jeton"),
        ("name", ""),
        ("email", "pas-une-adresse"),
        ("__start__", "password:mapping"),
        ("password", "un"),
        ("password-confirm", "deux"),
        ("__end__", "password:mapping"),
        ("level", ""),
    ]
    with pytest.raises(deform.ValidationFailure) as failure:
        form.validate(controls)
    return failure.value.render()


def soup(html):
    return BeautifulSoup(html, "html.parser")


def control(page, label_text):
    label = page.find("label", string=re.compile("^" + re.escape(label_text)))
    return page.find(id=label["for"])


def described_by(page, element):
    return [page.find(id=ident) for ident in element["aria-describedby"].split()]


def test_every_visible_control_has_a_label(dsfr_deform):
    page = soup(make_form().render())
    controls = page.find_all(["input", "select", "textarea"])
    visible = [c for c in controls if c.get("type") != "hidden"]
    assert len(visible) == 16
    for element in visible:
        assert page.find("label", attrs={"for": element["id"]}), element


def test_dsfr_markup(dsfr_deform):
    page = soup(make_form().render())
    assert control(page, "Nom")["class"] == ["fr-input"]
    assert control(page, "Commentaire").name == "textarea"
    assert control(page, "Classe")["class"] == ["fr-select"]
    assert control(page, "Date de rentrée")["type"] == "date"
    assert control(page, "Adresse électronique")["type"] == "email"
    assert page.select(".fr-input-group > label.fr-label")
    assert page.select(".fr-select-group > label.fr-label")
    assert page.select("fieldset.fr-fieldset > legend.fr-fieldset__legend")
    assert len(page.select(".fr-radio-group input[type=radio] + label.fr-label")) == 3
    assert page.select(".fr-checkbox-group input[type=checkbox] + label.fr-label")
    save, cancel = page.select("ul.fr-btns-group button")
    assert save["class"] == ["fr-btn"]
    assert cancel["class"] == ["fr-btn", "fr-btn--secondary"]
    assert (save["type"], save["name"], save.text) == ("submit", "save", "Enregistrer")


def test_every_fieldset_has_a_legend_and_an_untitled_form_none(dsfr_deform):
    """WCAG 1.3.1 (H71), 4.1.2 (H91): a fieldset is named by its legend; the
    form's own group of fields is a fieldset only when the form has a title."""
    untitled = soup(make_form().render())
    titled_form = make_form()
    titled_form.title = "Votre enfant"
    titled = soup(titled_form.render())
    for page in (untitled, titled):
        fieldsets = page.find_all("fieldset")
        assert fieldsets
        for fieldset in fieldsets:
            legend = fieldset.find("legend", recursive=False)
            assert legend and legend.get_text(strip=True), fieldset.get("id")
    assert untitled.select("form > div.fr-fieldset > .fr-fieldset__element")
    assert titled.select_one("form > fieldset.fr-fieldset > legend").text == "Votre enfant"


def test_required_fields_are_marked(dsfr_deform):
    page = soup(make_form().render())
    name = control(page, "Nom")
    assert name.has_attr("required")
    assert page.find("label", attrs={"for": name["id"]}).text == "Nom *"
    comment = control(page, "Commentaire")
    assert not comment.has_attr("required")
    assert page.find("label", attrs={"for": comment["id"]}).text == "Commentaire"
    assert "astérisque (*)" in page.find("p", class_="fr-hint-text").text


def test_hint_is_tied_to_its_input(dsfr_deform):
    page = soup(make_form().render())
    (hint,) = described_by(page, control(page, "Nom"))
    assert "fr-hint-text" in hint["class"]
    assert hint.text == "Tel qu’il figure sur l’état civil"


def test_hidden_csrf_token(dsfr_deform):
    page = soup(make_form().render())
    token = page.find("input", attrs={"name": "csrf_token"})
    assert (token["type"], token["value"]) == ("hidden", "jeton")


def test_errors_are_tied_to_their_inputs_in_french(dsfr_deform):
    page = soup(render_invalid())
    name = control(page, "Nom")
    assert name["aria-invalid"] == "true"
    hint, error = described_by(page, name)
    assert hint.text == "Tel qu’il figure sur l’état civil"
    assert error["class"] == ["fr-error-text"]
    assert error.text == "Requis"
    assert "fr-input-group--error" in name.parent["class"]
    email = control(page, "Adresse électronique")
    (error,) = described_by(page, email)
    assert error.text == "Adresse email invalide"
    level = control(page, "Classe")
    assert "fr-select-group--error" in level.parent["class"]
    assert described_by(page, level)[0].text == "Requis"
    for radio in page.select("input[type=radio]"):
        assert radio["aria-invalid"] == "true"
        assert described_by(page, radio)[0].text == "Requis"
    confirm = control(page, "Confirmation")
    assert "correspond pas" in described_by(page, confirm)[0].text
    assert control(page, "Commentaire").get("aria-invalid") is None


def test_form_error_is_an_alert_listing_the_fields(dsfr_deform):
    page = soup(render_invalid())
    alert = page.find(attrs={"role": "alert"})
    assert alert["class"] == ["fr-alert", "fr-alert--error", "fr-mb-4w"]
    assert alert.find(class_="fr-alert__title").text == "Le formulaire contient des erreurs"
    links = {a.text: a["href"] for a in alert.find_all("a")}
    assert links["Nom"] == "#" + control(page, "Nom")["id"]
    assert set(links) >= {"Adresse électronique", "Classe", "Vous êtes", "Enfant"}
    for href in links.values():
        assert page.find(id=href[1:])


def test_no_script_nor_inline_style(dsfr_deform):
    for html in (make_form().render(), render_invalid()):
        assert "<script" not in html
        assert "style=" not in html
        for element in soup(html).find_all(True):
            assert not [name for name in element.attrs if name.startswith("on")]


def test_sequence_without_script(dsfr_deform):
    page = soup(make_form().render())
    legend = page.find("legend", string="Téléphones")
    labels = [label.text for label in legend.parent.find_all("label")]
    assert labels == ["Téléphone 1 *", "Téléphone 2 *"]


def test_readonly(dsfr_deform):
    appstruct = {
        "name": "Dupont",
        "email": "dupont@example.org",
        "comment": "ligne 1\nligne 2",
        "level": "6A",
        "relation": "mere",
        "options": {"grec"},
        "agree": True,
        "start": colander.null,
        "child": {"first_name": "Léa"},
        "phones": ["0102030405"],
    }
    html = make_form().render(appstruct, readonly=True)
    page = soup(html)
    assert not page.find(["form", "input", "select", "textarea"])
    terms = {dt.text: dt.find_next_sibling("dd").text.strip() for dt in page("dt")}
    assert terms["Nom"] == "Dupont"
    assert terms["Nouveau mot de passe"] == "Mot de passe non affiché"
    assert terms["Classe"] == "6e A"
    assert terms["Vous êtes"] == "Mère"
    assert terms["Options"] == "Grec"
    assert terms["J’accepte les conditions d’utilisation"] == "Oui"
    assert terms["Date de rentrée"] == "Non renseigné"
    assert terms["Prénom"] == "Léa"
    assert "<br>" in html


def test_translator_outside_a_request():
    term = TranslationString("${n} éléments", domain="deform", mapping={"n": 3})
    assert widgets.translator(term) == "3 éléments"
    assert widgets.translator("texte") == "texte"


def test_search_path_puts_our_templates_first():
    ours, theirs = widgets.search_path()
    assert Path(ours, "form.pt").is_file()
    assert Path(theirs, "form.pt").is_file()
    assert Path(ours) == TS_HOST / "templates" / "deform"


class StubLayout:
    academy_name = "académie de Nancy-Metz"
    language = "fr"
    version = "0.1.0"
    csrf_token = "jeton-csrf"
    home_url = "/"
    help_url = "/aide"
    account_url = "/compte"
    logout_url = "/deconnexion"
    contact_url = "/contact"
    accessibility_status = "partiellement conforme"
    logo = None
    staff = False  # a family page (a staff page hides « gérer son compte »)
    flash_messages = (("success", "Vos modifications ont été enregistrées."),)

    def __init__(self, logged_in):
        self.logged_in = logged_in

    def static_url(self, path):
        return "/static/" + path

    def chrome(self, name):
        """The header or footer, as ``Layout.chrome`` renders it (uncached here)."""
        template = PageTemplateFile(str(TS_HOST / "templates" / "chrome" / f"{name}.pt"))
        return template(layout=self, request=None).strip()


PAGE = """<!DOCTYPE html>
<html metal:use-macro="main_template.macros['layout']">
<metal:title fill-slot="title">Tableau de bord</metal:title>
<metal:content fill-slot="content"><h1>Tableau de bord</h1></metal:content>
</html>"""


def render_page(logged_in):
    main_template = PageTemplateFile(str(TS_HOST / "templates" / "layout.pt"))
    html = PageTemplate(PAGE)(
        main_template=main_template, layout=StubLayout(logged_in), request=None
    )
    return html, soup(html)


@pytest.mark.parametrize("logged_in", [True, False])
def test_layout(logged_in):
    html, page = render_page(logged_in)
    assert html.startswith("<!DOCTYPE html>")
    assert page.html["lang"] == "fr"
    assert page.title.text == "Tableau de bord - scolarité services"
    tagline = page.find(class_="fr-header__service-tagline")
    assert tagline.text == "académie de Nancy-Metz"
    assert page.find(class_="fr-footer").find(string="scolarité services 0.1.0")
    assert page.find("header", class_="fr-header")
    assert page.find("main", id="contenu")
    assert page.find("footer", id="pied-de-page")
    skip_links = [a["href"] for a in page.select(".fr-skiplinks a")]
    assert skip_links == ["#contenu", "#pied-de-page"]
    assert len(page("h1")) == 1
    alert = page.find(class_="fr-alert--success")
    assert "Vos modifications ont été enregistrées." in alert.text
    assert not page.find(style=True)
    assert "style=" not in html
    for script in page("script"):
        assert script["src"].startswith("/static/dsfr/")
        assert not script.string
    assert {s.get("type") for s in page("script")} == {"module", None}
    for link in page("link", rel="stylesheet"):
        assert (DSFR.parent / link["href"].removeprefix("/static/")).is_file()
    logout = page.find("form", action="/deconnexion")
    account = page.find("a", href="/compte")
    assert page.find("a", href="/aide").text == "aide"
    if logged_in:
        assert logout["method"] == "post"
        token = logout.find("input", attrs={"name": "csrf_token"})
        assert (token["type"], token["value"]) == ("hidden", "jeton-csrf")
        assert logout.button.text == "se déconnecter"
        assert account.text == "gérer son compte"
    else:
        assert logout is None
        assert account is None
        assert "jeton-csrf" not in html


def test_vendored_dsfr_references_resolve():
    css_files = ["dsfr.main.min.css", "icons.css"]
    urls = set()
    for name in css_files:
        css = (DSFR / name).read_text()
        urls |= {
            url.strip("'\"")
            for url in re.findall(r"url\(([^)]*)\)", css)
            if not url.strip("'\"").startswith("data:")
        }
    assert urls
    for url in urls:
        assert (DSFR / url).is_file(), url
    assert all(url.endswith((".woff2", ".woff", ".svg")) for url in urls)
    for name in [
        "dsfr.module.min.js",
        "dsfr.nomodule.min.js",
        *css_files,
    ]:
        assert "sourceMappingURL" not in (DSFR / name).read_text()
    icons = (DSFR / "icons.css").read_text()
    assert icons.count(".fr-icon-") == 2 * 17
    # The whole compiled DSFR (docs/decisions.md) and what it refers to, not
    # its thousands of icons nor its source maps.
    size = sum(path.stat().st_size for path in DSFR.rglob("*") if path.is_file())
    assert size < 4 * 1024 * 1024


def test_every_dsfr_component_the_plugin_guide_lists_is_vendored():
    guide = (TS_HOST.parent / "docs" / "plugins.md").read_text(encoding="utf-8")
    rows = re.findall(r"^  \| [^|]+ \| (`fr-[^|]+) \|", guide, re.MULTILINE)
    classes = {name for row in rows for name in re.findall(r"`(fr-[a-z-]+)`", row)}
    assert len(classes) > 30
    css = (DSFR / "dsfr.main.min.css").read_text()
    missing = [name for name in sorted(classes) if not re.search(rf"\.{name}[^a-z-]", css)]
    assert not missing
