import sys

from grader.autograde.run import main

sys.exit(main())
