from pathlib import Path

from setuptools import find_packages, setup

about = {}
exec(Path(__file__).with_name("src").joinpath("shopkeeper", "__about__.py").read_text(), about)

setup(
    name="shopkeeper",
    version=about["__version__"],
    packages=find_packages("src"),
    package_dir={"": "src"},
)
