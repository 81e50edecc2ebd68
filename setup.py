"""Packaging hook: the wheel carries the project's data/, ontology/ and queries/ inside the package.

They stay at the top of the repository, where the project's layout puts them; building a
wheel copies them to ``kosru_kg/resources/``, where ``kosru_kg.config.shipped`` finds them
when the package is installed. An editable install reads them from the checkout instead.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = ("data", "ontology", "queries")


class BuildWithProjectFolders(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            return
        resources = Path(self.build_lib) / "kosru_kg" / "resources"
        for name in SHIPPED:
            shutil.copytree(Path(__file__).parent / name, resources / name, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithProjectFolders})
