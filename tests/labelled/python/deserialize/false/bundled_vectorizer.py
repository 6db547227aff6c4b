import os
import pickle

HERE = os.path.dirname(os.path.abspath(__file__))

with open(os.path.join(HERE, "models", "vectorizer.pkl"), "rb") as fh:
    VECTORIZER = pickle.load(fh)


def features(text):
    return VECTORIZER.transform([text])
