"""What the wheel installs: asl (with its schemas) and sfn_cli, from the repository's asl/, cli/, schemas/."""

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def options():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    packages = config["options"]["packages"].split()
    folders = dict(line.split(" = ") for line in config["options"]["package_dir"].strip().splitlines())
    return config, packages, folders


def folder(package, folders):
    """The repository folder a package is built from (setup.cfg's package_dir, else its own path)."""
    for prefix in sorted(folders, key=len, reverse=True):
        if package == prefix or package.startswith(prefix + "."):
            return Path(folders[prefix], *package[len(prefix):].split(".")[1:])
    return Path(*package.split("."))


def test_no_top_level_package_but_sfns_own_names():
    _, packages, _ = options()
    assert {p.split(".")[0] for p in packages} == {"asl", "sfn_cli"}


def test_every_package_folder_is_installed_under_its_name():
    _, packages, folders = options()
    listed = {folder(p, folders) for p in packages}
    on_disk = {init.parent.relative_to(ROOT) for top in ("asl", "cli", "schemas")
               for init in (ROOT / top).rglob("__init__.py")}
    assert listed == on_disk


def test_the_command_and_the_schema_are_where_the_wheel_puts_them():
    config, _, folders = options()
    assert config["options.entry_points"]["console_scripts"].strip() == "sfn = sfn_cli.entry:main"
    assert (ROOT / folder("sfn_cli.entry", folders)).with_suffix(".py").is_file()
    assert config["options.package_data"]["asl.schemas"] == "*.json"
    assert (ROOT / folder("asl.schemas", folders) / "asl.schema.json").is_file()


def test_sfn_version_is_the_installed_distributions():
    import importlib.metadata

    from click.testing import CliRunner

    from sfn_cli.main import sfn

    result = CliRunner().invoke(sfn, ["--version"])
    assert result.output == f"sfn, version {importlib.metadata.version('sfn-local')}\n"
