"""Command modules beyond the core ones; each registers its commands on flashprep.cli.app.

Each module keeps heavy imports inside its command functions, so importing this
package stays cheap.
"""
from flashprep.commands import review  # noqa: F401
from flashprep.commands import generate  # noqa: F401
from flashprep.commands import export  # noqa: F401
from flashprep.commands import doctor  # noqa: F401
