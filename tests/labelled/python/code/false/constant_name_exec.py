BOOTSTRAP = """
import logging
logging.basicConfig(level=logging.INFO)
"""


def configure_worker(namespace):
    exec(BOOTSTRAP, namespace)
    return namespace
