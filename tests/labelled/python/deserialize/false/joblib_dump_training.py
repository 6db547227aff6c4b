import joblib
from sklearn.linear_model import LogisticRegression


def train(features, labels, out="model.joblib"):
    model = LogisticRegression(max_iter=500).fit(features, labels)
    joblib.dump(model, out)
    return out
