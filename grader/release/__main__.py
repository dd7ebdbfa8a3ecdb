import sys

from grader.release.notebooks import main

sys.exit(main())
