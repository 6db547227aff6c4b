import yaml

try:
    from yaml import CSafeLoader as Loader
except ImportError:
    from yaml import SafeLoader as Loader


def read_settings(path):
    with open(path) as fh:
        return yaml.load(fh, Loader)
