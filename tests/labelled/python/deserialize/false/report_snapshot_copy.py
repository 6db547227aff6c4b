import pickle


def snapshot(report):
    blob = pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL)
    frozen = pickle.loads(blob)
    frozen.generated_by = "snapshot"
    return frozen
