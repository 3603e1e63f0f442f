"""``ts-admin new-plugin NAME``: a new téléservice, as a distribution of its own.

The files of the new distribution are the ``*_tmpl`` files under
``template/``, rendered with :class:`string.Template` (placeholders
``@@{name}``, a delimiter that neither Python nor Chameleon's ``${…}`` uses)
and written without their suffix; a ``+package+`` folder takes the package's
name.  The result installs with ``pip install -e`` and passes its own tests.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path

from ..contract import API_VERSION, CommandError
from ..plugins import SCAFFOLD_DESCRIPTION

SERVICE_ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,29}$")
SUFFIX = "_tmpl"
TEMPLATE = Path(__file__).parent / "template"


class FileTemplate(string.Template):
    delimiter = "@@"


@dataclass(frozen=True)
class Names:
    """How the new service is named in each place."""

    service_id: str
    title: str

    @property
    def package(self) -> str:
        return f"ts_{self.service_id}"

    @property
    def distribution(self) -> str:
        return f"ts-{self.service_id.replace('_', '-')}"

    @property
    def requires_host(self) -> str:
        major = int(API_VERSION.split(".")[0])
        return f">={API_VERSION},<{major + 1}"

    def mapping(self) -> dict[str, str]:
        return {
            "service_id": self.service_id,
            "title": self.title,
            "package": self.package,
            "distribution": self.distribution,
            "requires_host": self.requires_host,
            "description": SCAFFOLD_DESCRIPTION,
        }


def render(names: Names, target: Path) -> list[Path]:
    """Write the new distribution into ``target`` (which must not exist); return its files."""
    if not SERVICE_ID_RE.match(names.service_id):
        raise CommandError(
            f"nom de service invalide « {names.service_id} » : des minuscules sans accent, "
            "des chiffres et « _ », en commençant par une lettre (2 à 30 caractères)"
        )
    if '"' in names.title or "\\" in names.title:
        raise CommandError("le titre ne peut contenir ni guillemet droit ni barre oblique inverse")
    if target.exists():
        raise CommandError(f"le dossier {target} existe déjà")
    mapping = names.mapping()
    written = []
    root = TEMPLATE
    for source in _walk(root):
        relative = source.relative_to(root)
        parts = [part.replace("+package+", names.package) for part in relative.parts]
        destination = target.joinpath(*parts)
        destination = destination.with_name(destination.name.removesuffix(SUFFIX))
        destination.parent.mkdir(parents=True, exist_ok=True)
        text = FileTemplate(source.read_text(encoding="utf-8")).substitute(mapping)
        destination.write_text(text, encoding="utf-8")
        written.append(destination)
    return written


def _walk(folder: Path) -> list[Path]:
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.is_dir():
            found += _walk(entry)
        elif entry.name.endswith(SUFFIX):
            found.append(entry)
    return found


def configure(parser) -> None:
    """The arguments of ``ts-admin new-plugin`` (it needs no ini file)."""
    parser.add_argument("name", help="identifiant du service (ex. cantine) : ts_<nom> sera créé")
    parser.add_argument(
        "--directory", default=".", help="dossier où créer la distribution (défaut : ici)"
    )
    parser.add_argument("--title", help="titre du service (défaut : « Le service <nom> »)")


def run(args) -> int:
    names = Names(args.name, args.title or f"Le service {args.name}")
    target = Path(args.directory) / names.package
    written = render(names, target)
    print(f"{len(written)} fichiers écrits dans {target}.")
    print(
        "Ensuite :\n"
        f"  pip install -e {target}\n"
        f"  ajoutez « {names.service_id} » aux services d'un établissement de "
        "etc/establishments.toml\n"
        f"  pytest {target}"
    )
    return 0
