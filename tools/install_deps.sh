#!/usr/bin/env bash
# Installs the Debian packages flowfit needs, only those that are missing.
# Usage: tools/install_deps.sh            (as root, or with sudo available)
set -euo pipefail

# One package (or a small group) per line, so additions merge cleanly.
packages=(
  build-essential
  cmake
  pkg-config  # finds libzip (its CMake config needs zipcmp/zipmerge/ziptool, not installed)
  ccache      # used by CMake when found: fast rebuilds and CI reruns
  libgtest-dev libgmock-dev
  libbenchmark-dev
  libcli11-dev
  nlohmann-json3-dev
  libtomlplusplus-dev
  libfmt-dev
  zlib1g-dev
  libzip-dev
  libomp-dev
  python3 python3-numpy python3-scipy  # the tests' scipy round trips use /usr/bin/python3
  python3-dev pybind11-dev  # the Python module (python/, FLOWFIT_PYTHON=AUTO)
  python3-venv python3-pip python3-setuptools python3-wheel  # its pip install (docs/python.md)
  python3-pandas python3-pytest python3-matplotlib  # its tests and docs/python.md's example
  python3-jsonschema  # validates the analyses' data packages (tests)
  time
  clang-format
  # The real SLURM array test (tests/cmake/slurm_array.sh) starts its own daemons in a temp
  # folder; on a systemd host the packages also enable munge.service (slurmd/slurmctld stay off
  # without /etc/slurm/slurm.conf).
  slurmctld slurmd slurm-client munge
  clang libclang-rt-14-dev  # libFuzzer and its sanitizer runtimes (tests/fuzz, run_tests.sh fuzz)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install_deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install_deps: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
