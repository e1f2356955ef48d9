"""``python -m engage.contract > docs/data-contract.md``: print the data contract as Markdown."""

import sys

from engage.contract.render import render

sys.stdout.write(render())
