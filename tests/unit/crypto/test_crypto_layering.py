"""The crypto core and the disclosure function never import Django (STYLE.md habit 1)."""

import subprocess
import sys


def test_crypto_and_disclosure_do_not_import_django():
    code = (
        "import sys, pkgutil, importlib, candour.crypto\n"
        "for m in pkgutil.walk_packages(candour.crypto.__path__, 'candour.crypto.'):\n"
        "    importlib.import_module(m.name)\n"
        "import candour.analytics.disclosure\n"
        "assert 'django' not in sys.modules, sorted(k for k in sys.modules if k.startswith('django'))\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
