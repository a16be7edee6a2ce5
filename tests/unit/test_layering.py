"""The analytics core and the importers never import Django (STYLE.md habit 1)."""

import subprocess
import sys


def test_analytics_and_importers_do_not_import_django():
    code = (
        "import sys, pkgutil, importlib, candour.analytics, candour.importers\n"
        "for package in (candour.analytics, candour.importers):\n"
        "    for m in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "assert 'django' not in sys.modules, sorted(k for k in sys.modules if k.startswith('django'))\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
