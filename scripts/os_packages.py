"""Check that the OS packages in os-packages.txt are installed, before `make run` / `make test`.

    python3 scripts/os_packages.py check test     # every package `make test` needs
    python3 scripts/os_packages.py check run      # those `make run` needs
    python3 scripts/os_packages.py list [run|test]

On Debian and Ubuntu it asks dpkg, once for the whole list (a few milliseconds). Elsewhere there
are no Debian package names to ask about, so it looks for what each package provides — a shared
library, a program, or a font with some characters (the third column of os-packages.txt) — and
skips, with a note, what it cannot tell (fonts, without fontconfig's fc-list). Whatever is
missing is named, with the command that installs it, and the exit status is 1: better than the
traceback WeasyPrint gives without Pango, or a test failing on an empty box where a Chinese name
should be. WKM_SKIP_OS_CHECK=1 skips the check (for packages installed some other way).

Standard library only, and Python 3.8 or newer: `make` runs it with the system's python3 before
`.venv` exists, so a missing package is reported before a long pip install, not after.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_LIST = ROOT / "os-packages.txt"

# A package some other install can stand in for: set this variable to a program's path.
STAND_INS = {"chromium": "WKM_CHROMIUM"}


class Package(NamedTuple):
    name: str
    needed_by: frozenset  # "run", "test"
    provides: str  # "lib:pango-1.0", "bin:qpdf", "chars:0645,0416"
    purpose: str


def read_packages(path: Path = PACKAGE_LIST) -> list[Package]:
    """The packages of os-packages.txt: `name  needed-by  provides  # purpose` per line."""
    packages = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields, _, purpose = line.partition("#")
        if not fields.strip():
            continue
        name, needed_by, provides = fields.split(None, 2)
        packages.append(
            Package(name, frozenset(needed_by.split(",")), provides.strip(), purpose.strip())
        )
    return packages


def dpkg_installed(names: list[str]) -> set[str]:
    """Which of ``names`` dpkg says are installed (one dpkg-query for all of them)."""
    result = subprocess.run(
        ["dpkg-query", "--show", "--showformat=${Package}\\t${Status}\\n", *names],
        capture_output=True,
        text=True,
        check=False,  # 1 when some name is unknown to dpkg: those are simply not installed
    )
    installed = set()
    for line in result.stdout.splitlines():
        name, _, status = line.partition("\t")
        if status.strip() == "install ok installed":
            installed.add(name)
    return installed


def provided(package: Package) -> bool | None:
    """Whether what ``package`` provides is on this machine; None when we cannot tell."""
    kind, _, what = package.provides.partition(":")
    if kind == "lib":
        import ctypes.util  # only here: most machines that run this have dpkg

        return ctypes.util.find_library(what) is not None
    if kind == "bin":
        return shutil.which(what) is not None
    if kind == "chars":
        # Any font with these characters will do (Pango falls back to it), not one by name.
        fc_list = shutil.which("fc-list")
        if fc_list is None:
            return None
        for codepoint in what.split(","):
            result = subprocess.run(
                [fc_list, f":charset={codepoint.strip()}", "family"],
                capture_output=True,
                text=True,
                check=False,
            )
            if not result.stdout.strip():
                return False
        return True
    raise ValueError(f"os-packages.txt: {package.name}: cannot look for {package.provides!r}")


def stood_in(package: Package) -> bool:
    variable = STAND_INS.get(package.name)
    path = os.environ.get(variable, "") if variable else ""
    return bool(path) and os.access(path, os.X_OK)


def check(target: str, *, path: Path = PACKAGE_LIST, use_dpkg: bool | None = None) -> int:
    """Report what ``target`` ("run" or "test") needs and lacks; 0 if nothing, else 1."""
    if os.environ.get("WKM_SKIP_OS_CHECK"):
        return 0
    needed = [p for p in read_packages(path) if target in p.needed_by and not stood_in(p)]
    if use_dpkg is None:
        use_dpkg = shutil.which("dpkg-query") is not None
    unknown = []
    if use_dpkg:
        installed = dpkg_installed([p.name for p in needed])
        missing = [p for p in needed if p.name not in installed]
    else:
        missing = []
        for package in needed:
            found = provided(package)
            if found is None:
                unknown.append(package)
            elif not found:
                missing.append(package)
    for package in unknown:
        print(f"[os-packages] not checked: {package.provides} ({package.name})", file=sys.stderr)
    if not missing:
        return 0
    lines = [f"[os-packages] `make {target}` needs OS packages that are not installed:", ""]
    lines += [f"    {p.name:<22} {p.purpose}" for p in missing]
    names = " ".join(p.name for p in missing)
    if use_dpkg:
        sudo = "" if os.geteuid() == 0 else "sudo "
        command = f"{sudo}apt-get update && {sudo}apt-get install {names}"
        lines += ["", "Install them with:", "", f"    {command}"]
    else:
        lines += [
            "",
            "These are Debian names, and this system has no dpkg; looked for: "
            + ", ".join(p.provides for p in missing)
            + ".",
            "Install your system's equivalents "
            "(on macOS: brew install pango libmagic qpdf poppler).",
        ]
    lines += [
        "",
        f"The whole list, and what each is for: {path.name} (README, OS packages).",
        "WKM_SKIP_OS_CHECK=1 skips this check, if you have them some other way.",
    ]
    print("\n".join(lines), file=sys.stderr)
    return 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["check", "list"])
    parser.add_argument("target", nargs="?", choices=["run", "test"], default="test")
    parser.add_argument("--list", type=Path, default=PACKAGE_LIST, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.action == "list":
        for package in read_packages(args.list):
            if args.target in package.needed_by:
                print(package.name)
        return 0
    return check(args.target, path=args.list)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
