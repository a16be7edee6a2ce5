import sys

from candour.cli import main

sys.exit(main())
