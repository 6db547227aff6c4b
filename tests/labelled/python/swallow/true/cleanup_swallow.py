import os
import shutil


def remove_workdir(path):
    try:
        shutil.rmtree(path)
        os.remove(path + ".lock")
    except:
        pass
