import os
import tempfile


def render_site(pages):
    workdir = tempfile.mkdtemp(prefix="site-")
    try:
        for name, html in pages.items():
            with open(os.path.join(workdir, name), "w") as out:
                out.write(html)
        os.system(f"rsync -a {workdir}/ /var/www/site/")
    finally:
        os.system(f"rm -rf {workdir}")
