"""Builds flowfit's compiled module through the project's CMake build (target _flowfit).

The package metadata is in pyproject.toml. CMake options can be passed through the environment
variable FLOWFIT_CMAKE_ARGS (e.g. "-DFLOWFIT_CUDA=OFF"); FLOWFIT_BUILD_JOBS sets the parallel
jobs (default: all cores).
"""

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = Path(self.build_temp).resolve() / "cmake"
        build_dir.mkdir(parents=True, exist_ok=True)
        args = [
            "cmake", "-S", str(ROOT), "-B", str(build_dir),
            "-DCMAKE_BUILD_TYPE=Release",
            "-DFLOWFIT_PYTHON=ON",
            "-DFLOWFIT_BUILD_TESTS=OFF",
            "-DFLOWFIT_BUILD_BENCH=OFF",
            f"-DPython3_EXECUTABLE={sys.executable}",
        ] + shlex.split(os.environ.get("FLOWFIT_CMAKE_ARGS", ""))
        subprocess.check_call(args)
        jobs = os.environ.get("FLOWFIT_BUILD_JOBS", str(os.cpu_count() or 1))
        subprocess.check_call(["cmake", "--build", str(build_dir), "--target", "_flowfit",
                               "-j", jobs])
        built = next((build_dir / "python" / "flowfit").glob("_flowfit*.so"))
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built, target)


setup(
    packages=["flowfit"],
    package_dir={"flowfit": "python/flowfit"},
    package_data={"flowfit": ["*.pyi", "py.typed"]},
    ext_modules=[CMakeExtension("flowfit._flowfit")],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
)
