"""Activation codes: their format, normalisation and matching."""

import random
import re
from datetime import date

from ts_host import activation
from ts_host.models import CodeKind, CodeState


def test_a_code_reads_in_four_groups_of_4_3_3_3():
    code = activation.display(activation.draw())
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{3}-[0-9A-Z]{3}-[0-9A-Z]{3}", code)


def test_codes_avoid_look_alike_characters():
    drawn = "".join(activation.draw(random.Random(1).choice) for _ in range(500))
    assert not set(drawn) & set("0O1IL5S2Z8B")


def test_typed_codes_are_normalised_for_case_spaces_and_dashes():
    assert activation.normalise(" kmhr-7ce k4m pcu ") == "KMHR7CEK4MPCU"
    assert activation.normalise("KMHR7CEK4MPCU") == "KMHR7CEK4MPCU"


def test_first_names_match_whatever_the_case_and_accents():
    assert activation.fold_name("Éloïse") == activation.fold_name("eloise")
    assert activation.fold_name("Jean-Marc") == activation.fold_name("jean marc")


def test_a_code_matches_only_with_its_pupils_first_name_and_birth_date(site, tm):
    tm.begin()
    try:
        code = next(c for c in site.codes.values() if c.kind is CodeKind.CAR)
        pupil = site.pupils[code.pupil_id]
        typed = activation.display(code.code).lower()
        assert (
            activation.match(site, typed, pupil.first_name.upper(), pupil.birth_date, CodeKind.CAR)
            is code
        )
        assert activation.match(site, typed, "Autre", pupil.birth_date, CodeKind.CAR) is None
        assert (
            activation.match(site, typed, pupil.first_name, date(2000, 1, 1), CodeKind.CAR) is None
        )
        assert (
            activation.match(site, typed, pupil.first_name, pupil.birth_date, CodeKind.CAE) is None
        )
        code.state = CodeState.REVOKED
        assert (
            activation.match(site, typed, pupil.first_name, pupil.birth_date, CodeKind.CAR) is None
        )
    finally:
        tm.abort()
