"""Facts about the official LPC referential that the data file must hold."""

from __future__ import annotations

import dataclasses
import re

import pytest

from ts_lpc.referential import (
    Competence,
    Item,
    Palier,
    item,
    load_referential,
    note_aux_parents,
    pdf_footer,
)

LABELS = {
    1: "La maîtrise de la langue française",
    2: "La pratique d'une langue vivante étrangère",
    3: ("Les principaux éléments de mathématiques et la culture scientifique et technologique"),
    4: "La maîtrise des techniques usuelles de l'information et de la communication",
    5: "La culture humaniste",
    6: "Les compétences sociales et civiques",
    7: "L'autonomie et l'initiative",
}

# Palier 3 (end of collège): domains and item counts of each competence.
PALIER3_DOMAINS: dict[int, list[tuple[str, int]]] = {
    1: [("LIRE", 5), ("ÉCRIRE", 4), ("DIRE", 4)],
    2: [
        ("RÉAGIR ET DIALOGUER", 4),
        ("ÉCOUTER ET COMPRENDRE", 2),
        ("PARLER EN CONTINU", 3),
        ("LIRE", 2),
        ("ÉCRIRE", 5),
    ],
    3: [
        (
            "PRATIQUER UNE DÉMARCHE SCIENTIFIQUE ET TECHNOLOGIQUE, RÉSOUDRE DES PROBLÈMES",
            4,
        ),
        ("SAVOIR UTILISER DES CONNAISSANCES ET DES COMPÉTENCES MATHÉMATIQUES", 4),
        ("SAVOIR UTILISER DES CONNAISSANCES DANS DIVERS DOMAINES SCIENTIFIQUES", 5),
        ("ENVIRONNEMENT ET DÉVELOPPEMENT DURABLE", 1),
    ],
    4: [
        ("S'APPROPRIER UN ENVIRONNEMENT INFORMATIQUE DE TRAVAIL", 3),
        ("ADOPTER UNE ATTITUDE RESPONSABLE", 4),
        ("CRÉER, PRODUIRE, TRAITER, EXPLOITER DES DONNÉES", 4),
        ("S'INFORMER, SE DOCUMENTER", 3),
        ("COMMUNIQUER, ÉCHANGER", 3),
    ],
    5: [
        ("AVOIR DES CONNAISSANCES ET DES REPÈRES", 5),
        ("SITUER DANS LE TEMPS, L'ESPACE, LES CIVILISATIONS", 4),
        ("LIRE ET PRATIQUER DIFFÉRENTS LANGAGES", 3),
        ("FAIRE PREUVE DE SENSIBILITÉ, D'ESPRIT CRITIQUE, DE CURIOSITÉ", 4),
    ],
    6: [
        ("CONNAÎTRE LES PRINCIPES ET FONDEMENTS DE LA VIE CIVIQUE ET SOCIALE", 6),
        ("AVOIR UN COMPORTEMENT RESPONSABLE", 5),
    ],
    7: [
        ("ÊTRE ACTEUR DE SON PARCOURS DE FORMATION ET D'ORIENTATION", 3),
        (
            "ÊTRE CAPABLE DE MOBILISER SES RESSOURCES INTELLECTUELLES ET "
            "PHYSIQUES DANS DIVERSES SITUATIONS",
            4,
        ),
        ("FAIRE PREUVE D'INITIATIVE", 4),
    ],
}
PALIER3_COUNTS = {1: 13, 2: 16, 3: 14, 4: 17, 5: 16, 6: 11, 7: 11}
# Regression guards for the other paliers (counted on the official grids).
PALIER2_COUNTS = {1: 29, 2: 17, 3: 31, 4: 8, 5: 12, 6: 5, 7: 8}
PALIER1_COUNTS = {1: 23, 3: 19, 6: 4}

# Wording quoted by the Téléservices user guide / the official grid.
PALIER3_WORDING = {
    1: [
        "Adapter son mode de lecture à la nature du texte proposé et à l'objectif poursuivi",
        "Utiliser ses capacités de raisonnement, ses connaissances sur la langue, "
        "savoir faire appel à des outils appropriés pour lire",
        "Dégager, par écrit ou oralement, l'essentiel d'un texte lu",
        "Manifester, par des moyens divers, sa compréhension de textes variés",
        "Reproduire un document sans erreur et avec une présentation adaptée",
        "Écrire lisiblement un texte, spontanément ou sous la dictée, en "
        "respectant l'orthographe et la grammaire",
        "Rédiger un texte bref, cohérent et ponctué, en réponse à une question "
        "ou à partir de consignes données",
        "Utiliser ses capacités de raisonnement, ses connaissances sur la langue, "
        "savoir faire appel à des outils variés pour améliorer son texte",
        "Formuler clairement un propos simple",
        "Développer de façon suivie un propos en public sur un sujet déterminé",
        "Adapter sa prise de parole à la situation de communication",
        "Participer à un débat, à un échange verbal",
    ],
    2: [
        "Établir un contact social",
        "Dialoguer sur des sujets familiers",
        "Demander et donner des informations",
        "Réagir à des propositions",
        "Comprendre un message oral pour réaliser une tâche",
        "Comprendre les points essentiels d'un message oral (conversation, "
        "information, récit, exposé)",
        "Reproduire un modèle oral",
        "Décrire, raconter, expliquer",
        "Présenter un projet et lire à haute voix",
        "Comprendre le sens général de documents écrits",
        "Copier, écrire sous la dictée",
        "Renseigner un questionnaire",
        "Écrire un message simple",
        "Rendre compte de faits",
        "Écrire un court récit, une description",
    ],
    3: [
        "Organisation et gestion de données : reconnaître des situations de "
        "proportionnalité, utiliser des pourcentages, des tableaux, des "
        "graphiques. Exploiter des données statistiques et aborder des "
        "situations simples de probabilité",
        "Nombres et calculs : connaître et utiliser les nombres entiers, "
        "décimaux et fractionnaires. Mener à bien un calcul : mental, à la "
        "main, à la calculatrice, avec un ordinateur",
        "Géométrie : connaître et représenter des figures géométriques et des "
        "objets de l'espace. Utiliser leurs propriétés",
        "Grandeurs et mesures : réaliser des mesures (longueurs, durées, …), "
        "calculer des valeurs (volumes, vitesses, …) en utilisant différentes "
        "unités",
        "Mobiliser ses connaissances pour comprendre des questions liées à "
        "l'environnement et au développement durable",
    ],
    7: ["Savoir nager"],
}

A2_NOTE = (
    "Le niveau requis au palier 3 pour la pratique d'une langue étrangère est "
    "celui du niveau A2 du cadre européen commun de référence pour les langues"
)
CODE = re.compile(r"^([123])\.([1-7])\.(\d+)\.(\d+)$")


@pytest.fixture(scope="module")
def ref() -> dict[int, Palier]:
    return load_referential()


def all_items(ref: dict[int, Palier]) -> list[Item]:
    return [it for p in ref.values() for it in p.items]


def test_paliers_and_competences(ref: dict[int, Palier]) -> None:
    assert list(ref) == [1, 2, 3]
    assert ref[1].competence_numbers == (1, 3, 6)
    assert ref[2].competence_numbers == (1, 2, 3, 4, 5, 6, 7)
    assert ref[3].competence_numbers == (1, 2, 3, 4, 5, 6, 7)
    for palier in ref.values():
        assert palier.number in (1, 2, 3)
        assert palier.title == f"Palier {palier.number}"
    assert "CE1" in ref[1].stage
    assert "CM2" in ref[2].stage
    assert "collège" in ref[3].stage
    with pytest.raises(KeyError):
        ref[1].competence(2)


@pytest.mark.parametrize("number", [2, 3])
def test_competence_labels(ref: dict[int, Palier], number: int) -> None:
    for comp in ref[number].competences:
        assert comp.label == LABELS[comp.number]


def test_palier1_labels(ref: dict[int, Palier]) -> None:
    p1 = ref[1]
    assert p1.competence(1).label == LABELS[1]
    # At palier 1 only mathematics is assessed under competence 3.
    assert p1.competence(3).label == "Les principaux éléments de mathématiques"
    assert p1.competence(6).label == LABELS[6]


def test_palier3_counts(ref: dict[int, Palier]) -> None:
    p3 = ref[3]
    assert len(p3.items) == 98
    assert {c.number: len(c.items) for c in p3.competences} == PALIER3_COUNTS
    for comp in p3.competences:
        domains = [(d.label, len(d.items)) for d in comp.domains]
        assert domains == PALIER3_DOMAINS[comp.number], comp.number


def test_other_palier_counts(ref: dict[int, Palier]) -> None:
    assert {c.number: len(c.items) for c in ref[2].competences} == PALIER2_COUNTS
    assert {c.number: len(c.items) for c in ref[1].competences} == PALIER1_COUNTS
    assert len(ref[2].items) == 110
    assert len(ref[1].items) == 46


@pytest.mark.parametrize("number", sorted(PALIER3_WORDING))
def test_palier3_wording(ref: dict[int, Palier], number: int) -> None:
    labels = [it.label for it in ref[3].competence(number).items]
    for expected in PALIER3_WORDING[number]:
        assert expected in labels


def test_savoir_nager(ref: dict[int, Palier]) -> None:
    c7 = ref[3].competence(7)
    assert "Savoir nager" in [it.label for it in c7.items]
    assert item("3.7.2.4").label == "Savoir nager"
    others = [it for it in all_items(ref) if it.label == "Savoir nager"]
    assert others == [item("3.7.2.4")]


def test_codes_unique_and_positional(ref: dict[int, Palier]) -> None:
    codes = [it.code for it in all_items(ref)]
    assert len(codes) == len(set(codes)) == 98 + 110 + 46
    for palier in ref.values():
        for comp in palier.competences:
            for d, domain in enumerate(comp.domains, 1):
                for i, it in enumerate(domain.items, 1):
                    assert CODE.match(it.code), it.code
                    assert it.code == f"{palier.number}.{comp.number}.{d}.{i}"


def test_item_lookup(ref: dict[int, Palier]) -> None:
    first = item("3.1.1.1")
    assert first is ref[3].competence(1).domains[0].items[0]
    assert first.label.startswith("Adapter son mode de lecture")
    assert item("1.6.1.1").label.startswith("Reconnaître les emblèmes")
    with pytest.raises(KeyError):
        item("3.8.1.1")
    with pytest.raises(KeyError):
        item("")


def test_labels_clean(ref: dict[int, Palier]) -> None:
    texts: list[str] = []
    for palier in ref.values():
        for comp in palier.competences:
            texts.append(comp.label)
            texts.extend(t for t in (comp.note, comp.footnote) if t is not None)
            texts.extend(v.text for v in comp.validations)
            for domain in comp.domains:
                texts.append(domain.label)
                assert domain.label == domain.label.upper(), domain.label
                assert domain.items
                texts.extend(it.label for it in domain.items)
    for text in texts:
        assert text, "empty label"
        assert text == text.strip(), repr(text)
        assert "  " not in text, repr(text)
        assert "\n" not in text, repr(text)
        assert "’" not in text, repr(text)  # straight apostrophes only
    for it in all_items(ref):
        assert not it.label.endswith("."), it.code
        assert not it.label.startswith(("Etablir", "Ecrire", "Etre")), it.code


def test_notes(ref: dict[int, Palier]) -> None:
    assert ref[3].competence(2).note == A2_NOTE
    assert "niveau A1" in (ref[2].competence(2).note or "")
    assert "niveau école" in (ref[2].competence(4).note or "")
    assert "niveau collège" in (ref[3].competence(4).note or "")
    assert ref[3].competence(1).note is None
    assert "professeur des écoles" in (ref[2].competence(7).footnote or "")


def test_validation_sentences(ref: dict[int, Palier]) -> None:
    c2 = ref[3].competence(2)
    assert c2.validation.text == "La maîtrise du niveau A2 est validée en {langue} le :"
    assert (
        c2.validation.render("ANGLAIS LV1")
        == "La maîtrise du niveau A2 est validée en ANGLAIS LV1 le :"
    )
    assert c2.validation.render() == "La maîtrise du niveau A2 est validée en … le :"
    for comp in ref[3].competences:
        assert len(comp.validations) == 1
        if comp.number != 2:
            expected = f"La compétence {comp.number} est validée le :"
            assert comp.validation.render("ALLEMAND") == expected
    assert "A1" in ref[2].competence(2).validation.text
    for number in (1, 3, 6):
        assert "palier 1" in ref[1].competence(number).validation.text


def test_palier2_competence3_parts(ref: dict[int, Palier]) -> None:
    c3: Competence = ref[2].competence(3)
    assert c3.parts == (
        "Les principaux éléments de mathématiques",
        "La culture scientifique et technologique",
    )
    assert [v.part for v in c3.validations] == list(c3.parts)
    assert [d.part for d in c3.domains] == [c3.parts[0]] * 4 + [c3.parts[1]] * 3
    for palier in ref.values():
        for comp in palier.competences:
            if comp is not c3:
                assert comp.parts == ()


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_colours(ref: dict[int, Palier]) -> None:
    hex_colour = re.compile(r"^#[0-9A-F]{6}$")
    for palier in ref.values():
        for colour in (palier.colour, palier.text_colour, palier.tint):
            assert hex_colour.match(colour), colour
        assert _contrast(palier.colour, palier.text_colour) >= 4.5
        assert _contrast(palier.tint, "#161616") >= 4.5

    def rgb(c: str) -> tuple[int, int, int]:
        return int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)

    r, g, b = rgb(ref[3].colour)
    assert g > r and g > b  # green
    r, g, b = rgb(ref[2].colour)
    assert r > g > b  # orange
    r, g, b = rgb(ref[1].colour)
    assert b > r and b > g  # blue
    # The web pages colour a palier with the DSFR's own variants of that family.
    assert [ref[n].accent for n in (3, 2, 1)] == [
        "green-emeraude",
        "orange-terre-battue",
        "blue-cumulus",
    ]


def test_frozen_and_cached(ref: dict[int, Palier]) -> None:
    assert load_referential() is ref
    with pytest.raises(dataclasses.FrozenInstanceError):
        ref[3].number = 4  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        item("3.1.1.1").label = "x"  # type: ignore[misc]
    assert isinstance(ref[3].competences, tuple)
    assert isinstance(ref[3].competence(1).domains[0].items, tuple)


def test_note_aux_parents() -> None:
    blocks = note_aux_parents()
    assert blocks[0].kind == "title"
    assert blocks[0].text == "NOTE AUX PARENTS"
    assert blocks[1].segments() == (
        ("Le livret personnel de compétences", True),
        (
            " vous permet de suivre la progression des apprentissages de votre "
            "enfant à l'école et au collège.",
            False,
        ),
    )
    plain = [b.plain_text for b in blocks if b.kind == "paragraph"]
    assert (
        "C'est un outil national qui suit l'enfant tout au long de sa scolarité. "
        "Il est identique pour tous les élèves."
    ) in plain
    assert (
        "A la fin de l'école primaire, puis à la fin du collège, une copie du "
        "livret vous est remise."
    ) in plain
    lists = [b.items for b in blocks if b.kind == "list"]
    assert lists[0] == (
        ("▶", "le premier en fin de CE1, palier 1 (3 compétences)"),
        ("▶", "le deuxième en fin de CM2, palier 2"),
        ("▶", "le dernier, palier 3, en fin de collège."),
    )
    assert lists[1] == (("◆", "item acquis"), ("◇", "item non acquis"))
    assert any(b.kind == "heading" and b.text == "Visualisation à l'écran :" for b in blocks)
    assert blocks[-1].text.startswith("Pour chaque item acquis")
    for block in blocks:
        assert block.text == block.text.strip()
        assert (block.kind == "list") == bool(block.items)


def test_pdf_footer() -> None:
    footer = pdf_footer()
    assert footer.title == "Ministère de l'Éducation nationale"
    assert footer.text.startswith(
        "Les informations figurant sur le présent document font l'objet d'un "
        "traitement informatique destiné à l'évaluation du socle commun."
    )
    assert footer.text.endswith("en vous adressant au chef d'établissement.")
