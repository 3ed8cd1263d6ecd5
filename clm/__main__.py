import sys

from clm.cli.main import main

sys.exit(main())
